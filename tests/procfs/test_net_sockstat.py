"""/proc/net/sockstat{,6}'s parser: tables of cases, and procfs's own expectations on its test tree."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.golang.strings import go_trim_space
from pyexporter.procfs.net_sockstat import Sockstat, parse_sockstat

SOCKSTAT = (
    "sockets: used 229\n"
    "TCP: inuse 4 orphan 0 tw 4 alloc 17 mem 1\n"
    "UDP: inuse 0 mem 2\n"
    "UDPLITE: inuse 0\n"
    "FRAG: inuse 0 memory 0\n"
)


def test_parse_sockstat():
    stat = parse_sockstat(SOCKSTAT)
    assert stat.used == 229
    assert [(p.protocol, p.values) for p in stat.protocols] == [
        ("TCP", {"inuse": 4, "orphan": 0, "tw": 4, "alloc": 17, "mem": 1}),
        ("UDP", {"inuse": 0, "mem": 2}),
        ("UDPLITE", {"inuse": 0}),
        ("FRAG", {"inuse": 0, "memory": 0}),
    ]


def test_parse_sockstat_keeps_inuse_default_and_drops_unknown_keys():
    stat = parse_sockstat("XYZ: other 5 mem 0x10\n")
    assert stat.used is None
    assert stat.protocols[0].values == {"inuse": 0, "mem": 16}


def test_parse_sockstat_empty():
    stat = parse_sockstat("")
    assert stat.used is None and stat.protocols == []


@pytest.mark.parametrize(
    "text",
    ["TCP: inuse\n", "TCP: inuse 4 tw\n", "TCP: inuse x\n", "\n", "TCP:  inuse 4\n",
     "TCP: inuse 99999999999999999999\n"],
)
def test_parse_sockstat_rejects(text):
    with pytest.raises(ParseError):
        parse_sockstat(text)


def test_procfs_sockstat(procfs_fixtures):
    # procfs's TestNetSockstat and TestNetSockstat6.
    stat = parse_sockstat((procfs_fixtures / "proc" / "net" / "sockstat").read_text())
    assert stat.used == 1602
    assert (stat.protocols[0].protocol, stat.protocols[0].values["inuse"]) == ("TCP", 35)
    stat6 = parse_sockstat((procfs_fixtures / "proc" / "net" / "sockstat6").read_text())
    assert stat6.used is None
    assert (stat6.protocols[0].protocol, stat6.protocols[0].values["inuse"]) == ("TCP6", 17)


@pytest.mark.parametrize("text", ["\nsockets: used\n", "\nTCP: inuse 32 orphan\n"])
def test_procfs_parse_sockstat_rejects(text):
    # procfs's Test_parseSockstat, its failing cases (it trims the input first, as here).
    with pytest.raises(ParseError):
        parse_sockstat(go_trim_space(text))


def test_procfs_parse_sockstat():
    # procfs's Test_parseSockstat, its IPv4 and IPv6 cases (trimmed, as there); inuse reads 0 where a
    # line has none.
    ipv4 = parse_sockstat(go_trim_space(
        "\nsockets: used 1591\nTCP: inuse 32 orphan 0 tw 0 alloc 58 mem 13\nUDP: inuse 8 mem 115\n"
        "UDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n\t\t\t"))
    assert ipv4.used == 1591
    assert [(p.protocol, p.values) for p in ipv4.protocols] == [
        ("TCP", {"inuse": 32, "orphan": 0, "tw": 0, "alloc": 58, "mem": 13}),
        ("UDP", {"inuse": 8, "mem": 115}),
        ("UDPLITE", {"inuse": 0}), ("RAW", {"inuse": 0}), ("FRAG", {"inuse": 0, "memory": 0})]
    ipv6 = parse_sockstat(go_trim_space(
        "\nTCP6: inuse 24\nUDP6: inuse 9\nUDPLITE6: inuse 0\nRAW6: inuse 1\nFRAG6: inuse 0 memory 0\n"))
    assert ipv6.used is None
    assert [(p.protocol, p.values) for p in ipv6.protocols] == [
        ("TCP6", {"inuse": 24}), ("UDP6", {"inuse": 9}), ("UDPLITE6", {"inuse": 0}), ("RAW6", {"inuse": 1}),
        ("FRAG6", {"inuse": 0, "memory": 0})]
    assert parse_sockstat("") == Sockstat()
