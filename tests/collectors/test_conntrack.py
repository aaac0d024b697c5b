import pytest

from pyexporter.errors import NoDataError, ParseError
from tests.procfs.test_net_conntrackstat import STAT
from tests.support import collect_text, make_collector, samples, write_tree


def tree(tmp_path, stat=STAT, count="123\n", limit="65536\n"):
    files = {"proc/net/stat/nf_conntrack": stat, "proc/sys/net/netfilter/nf_conntrack_count": count,
             "proc/sys/net/netfilter/nf_conntrack_max": limit}
    return write_tree(tmp_path, {k: v for k, v in files.items() if v is not None})


def test_conntrack_collector(tmp_path):
    collector = make_collector("conntrack", tree(tmp_path))
    assert samples(collector.collect()) == {
        "node_nf_conntrack_entries": 123, "node_nf_conntrack_entries_limit": 65536,
        "node_nf_conntrack_stat_found": 3, "node_nf_conntrack_stat_invalid": 5,
        "node_nf_conntrack_stat_ignore": 0x588A + 0x56A4, "node_nf_conntrack_stat_insert": 5,
        "node_nf_conntrack_stat_insert_failed": 1, "node_nf_conntrack_stat_drop": 1,
        "node_nf_conntrack_stat_early_drop": 4, "node_nf_conntrack_stat_search_restart": 10,
    }
    assert ("# HELP node_nf_conntrack_entries_limit Maximum size of connection tracking table.\n"
            "# TYPE node_nf_conntrack_entries_limit gauge\n") in collect_text(collector)


@pytest.mark.parametrize("missing", ["stat", "count", "limit"])
def test_missing_file_is_no_data(tmp_path, missing):
    with pytest.raises(NoDataError):
        list(make_collector("conntrack", tree(tmp_path, **{missing: None})).collect())


def test_empty_files(tmp_path):
    with pytest.raises(ParseError):
        list(make_collector("conntrack", tree(tmp_path, count="")).collect())
    got = samples(make_collector("conntrack", tree(tmp_path, stat="", count="1")).collect())
    assert got["node_nf_conntrack_stat_found"] == 0


def test_malformed_values(tmp_path):
    with pytest.raises(ParseError):
        list(make_collector("conntrack", tree(tmp_path, limit="-1\n")).collect())
    with pytest.raises(ParseError):
        list(make_collector("conntrack", tree(tmp_path, stat=STAT + "bad line\n")).collect())
