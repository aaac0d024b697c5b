"""/proc/net/{tcp,udp}{,6}'s parsers: tables of cases, and procfs's own expectations on its test tree."""

import ipaddress

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.net_ip_socket import (
    SocketLine,
    SocketSummary,
    parse_socket_ip,
    parse_socket_line,
    parse_socket_lines,
    parse_socket_summary,
)
from tests.support import parser_tests

HEADER = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode "
          "ref pointer drops\n")


UDP = HEADER + (
    "   0: 00000000:0016 00000000:0000 0A 00000015:00000000 00:00000000 00000000     0        0 2740 1 "
    "ffff88003d3af3c0 0\n"
    "   1: 0100007F:0035 00000000:0000 07 00000001:00000100 00:00000000 00000000   101        0 1234 2 "
    "ffff88003d3af3c0 0\n"
)


UDP6 = HEADER + (
    "   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 07 00000002:00000003 "
    "00:00000000 00000000 0 0 1 2 ffff88003d3af3c0 0\n"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", SocketSummary(0, 0, 0)), (HEADER, SocketSummary(0, 0, 0)), (UDP, SocketSummary(0x16, 0x100, 2)),
     (UDP6, SocketSummary(2, 3, 1))],
)
def test_parse_socket_summary(text, expected):
    assert parse_socket_summary(text) == expected


@pytest.mark.parametrize(
    "line",
    [
        "0: 00000000:0016 00000000:0000 0A 00000015:00000000",  # truncated
        "0: 00000000:0016 00000000:0000 0A 0000001500000000 00:00000000 00000000 0 0 1",  # no queue colon
        "0: 000000:0016 00000000:0000 0A 00000015:00000000 00:00000000 00000000 0 0 1",  # 3-byte address
        "0: 0000000g:0016 00000000:0000 0A 00000015:00000000 00:00000000 00000000 0 0 1",  # not hex
        "x: 00000000:0016 00000000:0000 0A 00000015:00000000 00:00000000 00000000 0 0 1",  # bad sl
        "0: 00000000:0016 00000000:0000 0A 00000015:00000000 00:00000000 00000000 -1 0 1",  # bad uid
    ],
)
def test_parse_socket_summary_rejects(line):
    with pytest.raises(ParseError):
        parse_socket_summary(HEADER + line + "\n")


def test_udp_drops_are_summed():
    assert parse_socket_summary(UDP, udp=True) == SocketSummary(0x16, 0x100, 2, 0)
    assert parse_socket_summary(HEADER + "0: 00000000:0016 00000000:0000 0A 00000015:00000000 00:00000000 "
                                "00000000 0 0 1 2 ffff88003d3af3c0 0x10\n", udp=True).drops == 16
    assert parse_socket_summary(HEADER, udp=True) == SocketSummary(0, 0, 0, None)
    with pytest.raises(ParseError):  # a udp line without its drops column
        parse_socket_summary(HEADER + "0: 00000000:0016 00000000:0000 0A 00000015:00000000 00:00000000 "
                             "00000000 0 0 1\n", udp=True)


def ip(*octets: int) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(bytes(octets))


V4_ANY, V6_ANY = ip(0, 0, 0, 0), ip(*[0] * 16)

# procfs's Test_parseNetIPSocketLine (its fields, joined by spaces here).
GOOD_LINE = "11: 00000000:0000 00000000:0000 0A 00000017:0000002A 0:0 0 1000 0 39309"


def test_procfs_parse_net_ip_socket_line():
    expected = SocketLine(11, V4_ANY, 0, V4_ANY, 0, 10, 23, 42, 1000, 39309)
    assert parse_socket_line(GOOD_LINE.split()) == expected


@pytest.mark.parametrize(
    ("line", "udp"),
    [
        ("1: 00000000:0000 00000000:0000 07 0:0 0 0", False),  # fewer than 10 columns
        ("a: 00000000:0000 00000000:0000 07 00000000:00000001 0:0 0 0 0 39309", False),  # sl
        ("1: 0000000O:0000 00000000:0000 07 00000000:00000001 0:0 0 0 0 39309", False),  # local_address
        ("1: 00000000:0000 0000000O:0000 07 00000000:00000001 0:0 0 0 0 39309", False),  # rem_address
        ("1: 00000000:0000 00000000:0000 07 0000000000000001 0:0 0 0 0 39309", False),  # no queue colon
        ("1: 00000000:0000 00000000:0000 07 DEADCODE:00000001 0:0 0 0 0 39309", False),  # tx_queue
        ("1: 00000000:0000 00000000:0000 07 00000000:FEEDCODE 0:0 0 0 0 39309", False),  # rx_queue
        ("1: 00000000:0000 00000000:0000 07 00000000:00000001 0:0 0 -10 0 39309", False),  # uid
        ("1: 00000000:0000 00000000:0000 07 00000000:00000001 0:0 0 -10 0 -39309", False),  # inode
        ("1: 00000000:0000 00000000:0000 07 00000000:00000001 0:0 0 10 0 39309 2 000000009bd60d72 -5", True),
    ],
)
def test_procfs_parse_net_ip_socket_line_rejects(line, udp):
    with pytest.raises(ParseError):
        parse_socket_line(line.split(), udp=udp)


LINK_LOCAL = ip(254, 128, 0, 0, 0, 0, 0, 0, 86, 225, 173, 255, 254, 124, 102, 9)


test_parse_socket_ip, test_parse_socket_ip_rejects = parser_tests(
    parse_socket_ip,
    [
        ("0500000A", ip(10, 0, 0, 5)),
        ("000080FE00000000FFADE15609667CFE", LINK_LOCAL),
        ("ffffffffffffffffffffffffffffffff", ip(*[255] * 16)),
    ],
    ["", "0", "000000", "0000000000", "0000000g", "00 00000", "+0000000"])


# procfs's Test_newNetUDP and Test_newNetTCP: the lines of its tree's files.
PROCFS_V4_LINES = [
    SocketLine(0, ip(10, 0, 0, 5), 22, V4_ANY, 0, 10, 0, 1, 0, 2740),
    SocketLine(1, V4_ANY, 22, V4_ANY, 0, 10, 1, 0, 0, 2740),
    SocketLine(2, V4_ANY, 22, V4_ANY, 0, 10, 1, 1, 0, 2740),
]
PROCFS_V6_LINES = [
    SocketLine(1315, V6_ANY, 5355, V6_ANY, 0, 7, 0, 0, 981, 21040),
    SocketLine(6073, LINK_LOCAL, 51073, V6_ANY, 0, 7, 0, 0, 1000, 11337031),
]


@pytest.mark.parametrize(
    ("name", "udp", "lines"),
    [
        ("tcp", False, PROCFS_V4_LINES),
        ("tcp6", False, PROCFS_V6_LINES),
        ("udp", True, [line._replace(drops=100) for line in PROCFS_V4_LINES]),
        ("udp6", True, [line._replace(drops=0) for line in PROCFS_V6_LINES]),
    ],
)
def test_procfs_net_socket_files(procfs_fixtures, name, udp, lines):
    assert parse_socket_lines((procfs_fixtures / "proc" / "net" / name).read_text(), udp=udp) == lines


@pytest.mark.parametrize(
    ("name", "udp", "summary"),
    [
        ("tcp", False, SocketSummary(2, 2, 3)),
        ("tcp6", False, SocketSummary(0, 0, 2)),
        ("udp", True, SocketSummary(2, 2, 3, 300)),
        ("udp6", True, SocketSummary(0, 0, 2, 0)),
    ],
)
def test_procfs_net_socket_summaries(procfs_fixtures, name, udp, summary):
    # procfs's Test_newNetTCPSummary and Test_newNetUDPSummary.
    assert parse_socket_summary((procfs_fixtures / "proc" / "net" / name).read_text(), udp=udp) == summary


def test_procfs_broken_udp_file(procfs_fixtures):
    with pytest.raises(ParseError):
        parse_socket_summary((procfs_fixtures / "proc" / "net" / "udp_broken").read_text(), udp=True)
