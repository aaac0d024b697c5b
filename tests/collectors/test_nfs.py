import pytest

from pyexporter.errors import ParseError
from tests.procfs.test_nfs import CLIENT
from tests.support import collect_text, make_collector, samples, write_tree


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


def test_nfs_collector_empty_file_reports_zeros(tmp_path):
    write_tree(tmp_path, {"proc/net/rpc/nfs": ""})
    got = samples(make_collector("nfs", tmp_path).collect())
    assert got["node_nfs_rpcs_total"] == 0 and len(got) == 6 + 18 + 22 + 59


def test_nfs_collector_malformed_line_fails(tmp_path):
    write_tree(tmp_path, {"proc/net/rpc/nfs": CLIENT + "rpc 1 2 three\n"})
    with pytest.raises(ParseError):
        list(make_collector("nfs", tmp_path).collect())
