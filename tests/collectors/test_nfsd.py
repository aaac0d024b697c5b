import pytest

from pyexporter.errors import ParseError
from tests.procfs.test_nfs import SERVER
from tests.support import collect_text, make_collector, samples, write_tree


def test_nfsd_collector(tmp_path):
    write_tree(tmp_path, {"proc/net/rpc/nfsd": SERVER})
    collector = make_collector("nfsd", tmp_path)
    got = samples(collector.collect())
    assert got["node_nfsd_reply_cache_nocache_total"] == 18622
    assert got["node_nfsd_file_handles_stale_total"] == 7
    assert got["node_nfsd_disk_bytes_read_total"] == 157286400
    assert got["node_nfsd_server_threads"] == 8
    assert got["node_nfsd_read_ahead_cache_not_found_total"] == 11
    assert got['node_nfsd_packets_total{proto="tcp"}'] == 917
    assert got['node_nfsd_rpc_errors_total{error="cInt"}'] == 4
    assert got["node_nfsd_server_rpcs_total"] == 18628
    assert got['node_nfsd_requests_total{method="WdelegGetattr",proto="4"}'] == 15
    assert got['node_nfsd_requests_total{method="Lookup",proto="2"}'] == 4410
    # node_exporter leaves out the Null procedures and the unused/PUTPUBFH/PUTROOTFH operations.
    assert not any('method="Null"' in k or "PutRootFH" in k or "Op0Unused" in k for k in got)
    assert len([k for k in got if k.startswith("node_nfsd_requests_total")]) == 17 + 21 + 36
    text = collect_text(collector)
    assert "# TYPE node_nfsd_server_threads gauge\n" in text
    assert "non-idempotent operations (rename/delete/\u2026).\n" in text


def test_nfsd_collector_empty_file_reports_zeros(tmp_path):
    write_tree(tmp_path, {"proc/net/rpc/nfsd": ""})
    got = samples(make_collector("nfsd", tmp_path).collect())
    assert got['node_nfsd_requests_total{method="WdelegGetattr",proto="4"}'] == 0
    assert set(got.values()) == {0}


def test_nfsd_collector_malformed_line_fails(tmp_path):
    write_tree(tmp_path, {"proc/net/rpc/nfsd": SERVER.replace("io 157286400 72864", "io 157286400")})
    with pytest.raises(ParseError):
        list(make_collector("nfsd", tmp_path).collect())
