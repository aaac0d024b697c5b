import pytest

from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree

ARP_CACHE = "entries  allocs destroys\n00000014  00000001 0000000a\n00000014  0000000d 0000000e\n"
CONNTRACK = "entries  searched\n00000021  00000000\n"


def test_lnstat_collector(tmp_path):
    write_tree(tmp_path, {"proc/net/stat/arp_cache": ARP_CACHE, "proc/net/stat/nf_conntrack": CONNTRACK,
                          "proc/net/stat/empty": "", "proc/net/stat/subdir": None})
    collector = make_collector("lnstat", tmp_path)
    assert samples(collector.collect()) == {
        'node_lnstat_entries_total{cpu="0",subsystem="arp_cache"}': 20,
        'node_lnstat_entries_total{cpu="1",subsystem="arp_cache"}': 20,
        'node_lnstat_allocs_total{cpu="0",subsystem="arp_cache"}': 1,
        'node_lnstat_allocs_total{cpu="1",subsystem="arp_cache"}': 13,
        'node_lnstat_destroys_total{cpu="0",subsystem="arp_cache"}': 10,
        'node_lnstat_destroys_total{cpu="1",subsystem="arp_cache"}': 14,
        'node_lnstat_entries_total{cpu="0",subsystem="nf_conntrack"}': 33,
        'node_lnstat_searched_total{cpu="0",subsystem="nf_conntrack"}': 0,
    }
    text = collect_text(collector)
    assert "# HELP node_lnstat_allocs_total linux network cache stats\n" in text
    assert "# TYPE node_lnstat_allocs_total counter\n" in text


def test_lnstat_malformed_line(tmp_path):
    write_tree(tmp_path, {"proc/net/stat/arp_cache": ARP_CACHE + "zz 1 2\n"})
    with pytest.raises(ParseError):
        list(make_collector("lnstat", tmp_path).collect())


def test_lnstat_invalid_counter_name(tmp_path):
    write_tree(tmp_path, {"proc/net/stat/x": "bad-name\n1\n"})
    with pytest.raises(ParseError):
        list(make_collector("lnstat", tmp_path).collect())


def test_lnstat_missing_directory(tmp_path):
    # node_exporter globs /proc/net/stat/*: nothing there is no error.
    assert list(make_collector("lnstat", tmp_path).collect()) == []
