"""/proc/net/ip_vs*'s parsers: tables of cases, and procfs's own expectations on its test tree."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.ipvs import (
    IPVSBackendStatus,
    IPVSStats,
    parse_ip_port,
    parse_ipvs_backend_status,
    parse_ipvs_stats,
)

STATS = (
    "   Total Incoming Outgoing         Incoming         Outgoing\n"
    "   Conns  Packets  Packets            Bytes            Bytes\n"
    " 16AA370 E33656E5        0     51D8C8883AB3                0\n"
    "\n"
    " Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s\n"
    "       4    1FB3C        0          1282A8F                0\n"
)


IPVS = (
    "IP Virtual Server version 1.2.1 (size=4096)\n"
    "Prot LocalAddress:Port Scheduler Flags\n"
    "  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n"
    "TCP  C0A80016:0CEA wlc  \n"
    "  -> C0A85216:0CEA      Tunnel  100    248        2         \n"
    "  -> C0A85318:0CEA      Tunnel  100    248        2         \n"
    "TCP  C0A80037:0CEA wlc  \n"
    "  -> C0A8321A:0CEA      Tunnel  0      0          0         \n"
    "FWM  10001000 wlc   \n"
    "  -> C0A8321A:0CEA      Tunnel  20     64         1         \n"
    "  -> C0A8321A:0CEA      Route   5      6          7         \n"
    "UDP  [2620:0000:0000:0000:0000:0000:0000:0080]:0050 rr\n"
    "  -> [2620:0000:0000:0000:0000:0000:0000:0081]:0051      Masq    1      2          3\n"
)


def test_parse_ipvs_stats():
    assert parse_ipvs_stats(STATS) == IPVSStats(0x16AA370, 0xE33656E5, 0, 0x51D8C8883AB3, 0)


@pytest.mark.parametrize(
    "text",
    ["", "a\nb\nc", "a\nb\n1 2 3 4\n", "a\nb\n1 2 3 4 x\n", "a\nb\n1 2 3 4 -5\n",
     "a\nb\n1 2 3 4 10000000000000000\n"],
)
def test_parse_ipvs_stats_rejects(text):
    with pytest.raises(ParseError):
        parse_ipvs_stats(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C0A80016:0CEA", ("192.168.0.22", 3306)),
        ("[2620:0000:0000:0000:0000:0000:0000:0080]:0050", ("2620::80", 80)),
        ("[0000:0000:0000:0000:0000:ffff:c0a8:0001]:0050", ("192.168.0.1", 80)),  # as Go prints it
        ("[2001:0db8:0000:0001:0000:0000:0000:0001]:ffff", ("2001:db8:0:1::1", 65535)),
    ],
)
def test_parse_ip_port(text, expected):
    assert parse_ip_port(text) == expected


@pytest.mark.parametrize(
    "text",
    ["C0A80016:0CE", "C0A8001G:0CEA", "C0A80016:0CEX", " 0A80016:0CEA",
     "[2620:0000:0000:0000:0000:0000:0000:zzzz]:0050",
     "[2620:0000:0000:0000:0000:0000:00%0:0080]:0050", ""],
)
def test_parse_ip_port_rejects(text):
    with pytest.raises(ParseError):
        parse_ip_port(text)


def test_parse_ipvs_backend_status():
    backends = parse_ipvs_backend_status(IPVS)
    assert backends[0] == IPVSBackendStatus(
        "192.168.0.22", 3306, "", "TCP", "192.168.82.22", 3306, 248, 2, 100)
    assert backends[3] == IPVSBackendStatus("", 0, "10001000", "FWM", "192.168.50.26", 3306, 64, 1, 20)
    assert backends[5].local_address == "2620::80" and backends[5].proto == "UDP"
    assert len(backends) == 6
    assert parse_ipvs_backend_status("") == []


@pytest.mark.parametrize(
    "text",
    ["TCP  C0A80016 wlc\n", "TCP\n", "  -> C0A85216:0CEA Tunnel x 1 2\n",
     "  -> C0A85216:0CEA Tunnel 1 2 -3\n",
     "  -> nonsense Tunnel 1 2 3\n"],
)
def test_parse_ipvs_backend_status_rejects(text):
    with pytest.raises(ParseError):
        parse_ipvs_backend_status(text)


def test_parse_ipvs_backend_status_skips_short_real_server_lines():
    assert parse_ipvs_backend_status("TCP C0A80016:0CEA wlc\n  -> C0A85216:0CEA Tunnel 1 2\n") == []


def test_procfs_ipvs_stats(procfs_fixtures):
    # procfs's TestIPVSStats.
    assert parse_ipvs_stats((procfs_fixtures / "proc/net/ip_vs_stats").read_text()) == IPVSStats(
        23765872, 3811989221, 0, 89991519156915, 0)


def test_procfs_parse_ip_port():
    # procfs's TestParseIPPort, TestParseIPPortInvalid and TestParseIPPortIPv6.
    assert parse_ip_port("C0A80016:0CEA") == ("192.168.0.22", 3306)
    assert parse_ip_port("[DEAD:BEEF:0000:0000:0000:0000:0000:0001]:1F90") == ("dead:beef::1", 8080)
    for text in ("", "C0A80016", "C0A800:1234", "FOOBARBA:1234", "C0A80016:0CEA:1234"):
        with pytest.raises(ParseError):
            parse_ip_port(text)


def _backend(local: str, port: int, remote: str, remote_port: int, weight: int, active: int, inactive: int,
             proto: str = "TCP", mark: str = "") -> IPVSBackendStatus:
    return IPVSBackendStatus(local, port, mark, proto, remote, remote_port, active, inactive, weight)


def test_procfs_ipvs_backend_status(procfs_fixtures):
    # procfs's TestIPVSBackendStatus.
    assert parse_ipvs_backend_status((procfs_fixtures / "proc/net/ip_vs").read_text()) == [
        _backend("192.168.0.22", 3306, "192.168.82.22", 3306, 100, 248, 2),
        _backend("192.168.0.22", 3306, "192.168.83.24", 3306, 100, 248, 2),
        _backend("192.168.0.22", 3306, "192.168.83.21", 3306, 100, 248, 1),
        _backend("192.168.0.57", 3306, "192.168.84.22", 3306, 0, 0, 0),
        _backend("192.168.0.57", 3306, "192.168.82.21", 3306, 100, 1499, 0),
        _backend("192.168.0.57", 3306, "192.168.50.21", 3306, 100, 1498, 0),
        _backend("192.168.0.55", 3306, "192.168.50.26", 3306, 0, 0, 0),
        _backend("192.168.0.55", 3306, "192.168.49.32", 3306, 100, 0, 0),
        _backend("2620::1", 80, "2620::2", 80, 1, 0, 0),
        _backend("2620::1", 80, "2620::3", 80, 1, 0, 0),
        _backend("2620::1", 80, "2620::4", 80, 1, 1, 1),
        _backend("", 0, "192.168.50.26", 3306, 0, 0, 1, "FWM", "10001000"),
        _backend("", 0, "192.168.50.21", 3306, 0, 0, 2, "FWM", "10001000"),
    ]
