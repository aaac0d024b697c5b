import pytest

from pyexporter.errors import NoDataError, ParseError
from pyexporter.procfs.nfs import parse_server_rpc_stats
from tests.support import collect_text, make_collector, samples, write_tree

OPS_72 = (
    "proc4ops 72 0 0 0 1098 2 0 0 0 0 8179 5896 0 0 0 0 5900 0 0 2 0 2 0 9609 0 2 150 1272 0 0 0 1236 "
    "0 0 0 0 3 3 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
)
SERVER = (
    "rc 0 6 18622\n"
    "fh 7 0 0 0 0\n"
    "io 157286400 72864\n"
    "th 8 0 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000\n"
    "ra 32 0 0 0 0 0 0 0 0 0 0 11\n"
    "net 972 55 917 1\n"
    "rpc 18628 3 1 2 4\n"
    "proc2 18 2 69 0 0 4410 0 0 0 0 0 0 0 0 0 0 0 99 2\n"
    "proc3 22 2 112 0 2719 111 0 0 0 0 0 0 0 0 0 0 0 27 216 0 2 1 0\n"
    "proc4 2 2 10853\n"
    + OPS_72
    + "wdeleg_getattr 15\n"
)


def test_parse_server_rpc_stats():
    stats = parse_server_rpc_stats(SERVER)
    assert (stats.reply_cache.misses, stats.reply_cache.no_cache) == (6, 18622)
    assert stats.file_handles.stale == 7
    assert stats.threads.threads == 8
    assert (stats.read_ahead_cache.cache_size, stats.read_ahead_cache.not_found) == (32, 11)
    assert (stats.server_rpc.bad_format, stats.server_rpc.bad_auth, stats.server_rpc.bad_client) == (1, 2, 4)
    assert (stats.v4_null, stats.v4_compound) == (2, 10853)
    assert stats.v4_ops["Access"] == 1098 and stats.v4_ops["PutFH"] == 9609
    assert stats.v4_ops["SetClientID"] == 3 and stats.v4_ops["RelLockOwner"] == 0
    assert stats.wdeleg_getattr == 15


def test_parse_server_nfs40_has_no_rel_lock_owner():
    stats = parse_server_rpc_stats("proc4ops 39 " + " ".join(["0"] * 38) + " 39\n")
    assert stats.v4_ops["Write"] == 39 and stats.v4_ops["RelLockOwner"] == 0


def test_parse_server_40_operations():
    stats = parse_server_rpc_stats("proc4ops 40 " + " ".join(["0"] * 39) + " 40\n")
    assert stats.v4_ops["RelLockOwner"] == 40


@pytest.mark.parametrize(
    "text",
    [
        "th 8\n",  # th needs the pool-full count too
        "rc 1 2\n",
        "fh 1 2 3 4\n",
        "io 1\n",
        "ra 1 2 3\n",
        "rpc 1 2 3 4\n",
        "proc4 3 1 2 3\n",  # the server's proc4 has exactly Null and Compound
        "proc4ops 38 " + "0 " * 38 + "\n",  # fewer than NFSv4.0's 39 operations
        "proc4ops 40 " + "0 " * 39 + "\n",  # declared 40, has 39
        "rc 0 6 x\n",
        "th x 0 0.000\n",
        "brand_new_line 1\n",
        "\n",
        "wdeleg_getattr\n",
    ],
)
def test_parse_server_rejects(text):
    with pytest.raises(ParseError):
        parse_server_rpc_stats(text)


def test_parse_server_th_histogram_is_ignored():
    assert parse_server_rpc_stats("th 4 1 garbage\n").threads.full_count == 1


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


def test_nfsd_collector_missing_file_is_no_data(tmp_path):
    with pytest.raises(NoDataError):
        list(make_collector("nfsd", tmp_path).collect())


def test_nfsd_collector_empty_file_reports_zeros(tmp_path):
    write_tree(tmp_path, {"proc/net/rpc/nfsd": ""})
    got = samples(make_collector("nfsd", tmp_path).collect())
    assert got['node_nfsd_requests_total{method="WdelegGetattr",proto="4"}'] == 0
    assert set(got.values()) == {0}


def test_nfsd_collector_malformed_line_fails(tmp_path):
    write_tree(tmp_path, {"proc/net/rpc/nfsd": SERVER.replace("io 157286400 72864", "io 157286400")})
    with pytest.raises(ParseError):
        list(make_collector("nfsd", tmp_path).collect())
