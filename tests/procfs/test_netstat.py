"""The parsers of /proc/net/netstat, snmp and snmp6, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.netstat import parse_net_stats, parse_snmp6

SNMP6 = ("Ip6InReceives                   \t7\nIp6InOctets 460\nUdp6InDatagrams 3\nUdpLite6InErrors 0\n"
         "nosix 1\n\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {}),
        ("Ip: A B\nIp: 1 2\n", {"Ip": {"A": "1", "B": "2"}}),
        # A protocol seen twice keeps the last pair.
        ("Ip: A\nIp: 1\nIp: B\nIp: 2\n", {"Ip": {"B": "2"}}),
    ],
)
def test_parse_net_stats(text, expected):
    assert parse_net_stats(text) == expected


@pytest.mark.parametrize("text", ["Ip: A B\nIp: 1\n", "Ip: A B\n", "\nIp: 1\n", "Ip: A  B\nIp: 1 2\n"])
def test_parse_net_stats_rejects_mismatched_pairs(text):
    with pytest.raises(ParseError):
        parse_net_stats(text)


def test_parse_snmp6():
    assert parse_snmp6(SNMP6) == {"Ip6": {"InReceives": "7", "InOctets": "460"}, "Udp6": {"InDatagrams": "3"},
                                  "UdpLite6": {"InErrors": "0"}}
    assert parse_snmp6("") == {}


def test_procfs_netstat(procfs_fixtures):
    # procfs's TestProcNetstat.
    stats = parse_net_stats((procfs_fixtures / "proc/26231/net/netstat").read_text())
    assert [stats["TcpExt"][key] for key in ("SyncookiesSent", "EmbryonicRsts", "TW", "PAWSEstab")] == [
        "0", "1", "83", "3640"]
    assert [stats["IpExt"][key] for key in ("InNoRoutes", "InMcastPkts", "OutMcastPkts")] == [
        "0", "208", "214"]


def test_procfs_snmp(procfs_fixtures):
    # procfs's TestProcSnmp.
    stats = parse_net_stats((procfs_fixtures / "proc/26231/net/snmp").read_text(), "snmp")
    assert (stats["Ip"]["Forwarding"], stats["Ip"]["DefaultTTL"]) == ("2", "64")
    assert stats["Icmp"]["InMsgs"] == "45"
    assert (stats["IcmpMsg"]["InType3"], stats["IcmpMsg"]["OutType3"]) == ("45", "50")
    assert (stats["Tcp"]["RtoAlgorithm"], stats["Tcp"]["RtoMin"]) == ("1", "200")
    assert (stats["Udp"]["InDatagrams"], stats["Udp"]["NoPorts"]) == ("10179", "50")
    assert (stats["UdpLite"]["InDatagrams"], stats["UdpLite"]["NoPorts"]) == ("0", "0")


def test_procfs_snmp6(procfs_fixtures):
    # procfs's TestProcSnmp6.
    stats = parse_snmp6((procfs_fixtures / "proc/26231/net/snmp6").read_text())
    assert [stats["Ip6"][key] for key in ("InReceives", "InDelivers", "OutNoRoutes", "InOctets")] == [
        "92166", "92053", "169", "113479132"]
    assert stats["Icmp6"]["InMsgs"] == "142"
    assert stats["Udp6"]["InDatagrams"] == "2016"
    assert stats["UdpLite6"]["InDatagrams"] == "0"
