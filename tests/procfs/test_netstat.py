"""The parsers of /proc/net/netstat, snmp and snmp6, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.netstat import parse_net_stats, parse_snmp6

NETSTAT = (
    "TcpExt: SyncookiesSent ListenDrops TCPTimeouts PruneCalled\n"
    "TcpExt: 1 2 3 4\n"
    "IpExt: InOctets OutOctets\n"
    "IpExt: 6286396970 2786264347\n"
)
SNMP = (
    "Ip: Forwarding DefaultTTL\n"
    "Ip: 1 64\n"
    "Tcp: RtoAlgorithm MaxConn InErrs CurrEstab\n"
    "Tcp: 1 -1 5 7\n"
    "Udp: InDatagrams NoPorts\n"
    "Udp: 88542 120\n"
)
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
