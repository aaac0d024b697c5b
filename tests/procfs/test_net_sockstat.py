"""/proc/net/sockstat{,6}'s parser: tables of cases, and procfs's own expectations on its test tree."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.net_sockstat import parse_sockstat

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
