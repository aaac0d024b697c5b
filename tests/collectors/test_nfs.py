import pytest

from pyexporter.errors import NoDataError, ParseError
from pyexporter.procfs.nfs import CLIENT_V4_PROCEDURES, parse_client_rpc_stats
from tests.support import collect_text, make_collector, samples, write_tree

CLIENT = (
    "net 70 71 69 45\n"
    "rpc 1218785755 374636 1218815394\n"
    "proc2 18 16 57 74 52 71 73 45 86 0 52 83 61 17 53 50 23 70 82\n"
    "proc3 22 0 1061909262 48906 4077635 117661341 5 29391916 2570425 2993289 590 0 0 7815 15 1130 0 3983 "
    "92385 13332 2 1 23729\n"
    "proc4 3 98 51 54\n"
)


def test_parse_client_rpc_stats():
    stats = parse_client_rpc_stats(CLIENT)
    assert (stats.network.udp_count, stats.network.tcp_count, stats.network.tcp_connect) == (71, 69, 45)
    assert stats.client_rpc.retransmissions == 374636
    assert stats.v2["Null"] == 16 and stats.v2["FsStat"] == 82
    assert stats.v3["GetAttr"] == 1061909262 and stats.v3["Commit"] == 23729
    # An older kernel's shorter proc4 line: the rest of the known procedures read as zero.
    assert (stats.v4["Null"], stats.v4["Read"], stats.v4["Write"], stats.v4["Commit"]) == (98, 51, 54, 0)
    assert list(stats.v4) == list(CLIENT_V4_PROCEDURES)
    assert stats.v4["Clone"] == 0


def test_parse_client_v4_maps_procfs_positions():
    values = list(range(1, 60))
    stats = parse_client_rpc_stats(f"proc4 59 {' '.join(map(str, values))}\n")
    assert stats.v4["GetDeviceInfo"] == 45 and stats.v4["LayoutGet"] == 46 and stats.v4["Clone"] == 59


def test_parse_client_longer_lines_keep_known_procedures():
    text = "proc2 19 " + " ".join(["1"] * 19) + "\n" + "proc4 70 " + " ".join(["2"] * 70)
    stats = parse_client_rpc_stats(text)
    assert stats.v2["FsStat"] == 1 and len(stats.v2) == 18
    assert set(stats.v4.values()) == {2} and len(stats.v4) == 59


def test_parse_empty_client_file_is_all_zero():
    stats = parse_client_rpc_stats("")
    assert stats.client_rpc.rpc_count == 0 and set(stats.v3.values()) == {0}


@pytest.mark.parametrize(
    "text",
    [
        "net 1 2 3\n",  # net needs 4 values
        "rpc 1 2\n",
        "proc2 18 1 2 3\n",  # declared 18, has 3
        "proc2 3 1 2 3\n",  # fewer than the 18 NFSv2 procedures
        "proc3 22 " + "1 " * 21 + "\n",
        "proc4 2 1\n",
        "net 1 2 x 4\n",
        "net 1 2 -3 4\n",
        "net 1 2 18446744073709551616 4\n",
        "net\n",
        "\n",  # an empty line is a malformed line for procfs
        "bogus 1 2\n",  # unknown record
        "\x00\x01\x02",
    ],
)
def test_parse_client_rejects(text):
    with pytest.raises(ParseError):
        parse_client_rpc_stats(text)


def test_nfs_collector(tmp_path):
    write_tree(tmp_path, {"proc/net/rpc/nfs": CLIENT})
    collector = make_collector("nfs", tmp_path)
    got = samples(collector.collect())
    assert got['node_nfs_packets_total{protocol="udp"}'] == 71
    assert got['node_nfs_packets_total{protocol="tcp"}'] == 69
    assert got["node_nfs_connections_total"] == 45
    assert got["node_nfs_rpcs_total"] == 1218785755
    assert got["node_nfs_rpc_retransmissions_total"] == 374636
    assert got["node_nfs_rpc_authentication_refreshes_total"] == 1218815394
    assert got['node_nfs_requests_total{method="Null",proto="2"}'] == 16
    assert got['node_nfs_requests_total{method="ReadDirPlus",proto="3"}'] == 92385
    assert got['node_nfs_requests_total{method="Clone",proto="4"}'] == 0
    assert len([k for k in got if k.startswith("node_nfs_requests_total")]) == 18 + 22 + 59
    text = collect_text(collector)
    assert "# HELP node_nfs_requests_total Number of NFS procedures invoked.\n" in text
    assert "# TYPE node_nfs_requests_total counter\n" in text


def test_nfs_collector_missing_file_is_no_data(tmp_path):
    with pytest.raises(NoDataError):
        list(make_collector("nfs", tmp_path).collect())


def test_nfs_collector_empty_file_reports_zeros(tmp_path):
    write_tree(tmp_path, {"proc/net/rpc/nfs": ""})
    got = samples(make_collector("nfs", tmp_path).collect())
    assert got["node_nfs_rpcs_total"] == 0 and len(got) == 6 + 18 + 22 + 59


def test_nfs_collector_malformed_line_fails(tmp_path):
    write_tree(tmp_path, {"proc/net/rpc/nfs": CLIENT + "rpc 1 2 three\n"})
    with pytest.raises(ParseError):
        list(make_collector("nfs", tmp_path).collect())
