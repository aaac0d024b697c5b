import pytest

from pyexporter.errors import ConfigError, ParseError
from tests.procfs.test_slabinfo import HEADER, ROW_KMALLOC, ROW_TCP
from tests.support import collect_text, make_collector, samples, write_tree

SLABINFO = HEADER + ROW_TCP + ROW_KMALLOC


def test_slabinfo_collector(tmp_path):
    write_tree(tmp_path, {"proc/slabinfo": SLABINFO})
    collector = make_collector("slabinfo", tmp_path)
    got = samples(collector.collect())
    assert len(got) == 10
    assert got['node_slabinfo_active_objects{slab="tw_sock_TCP"}'] == 704
    assert got['node_slabinfo_objects{slab="kmalloc-8192"}'] == 148
    assert got['node_slabinfo_object_size_bytes{slab="kmalloc-8192"}'] == 8192
    assert got['node_slabinfo_objects_per_slab{slab="tw_sock_TCP"}'] == 32
    assert got['node_slabinfo_pages_per_slab{slab="kmalloc-8192"}'] == 8
    text = collect_text(collector)
    assert "# HELP node_slabinfo_pages_per_slab The number of pages allocated for each slab.\n" in text


@pytest.mark.parametrize(
    ("flags", "slabs"),
    [
        ((), {"tw_sock_TCP", "kmalloc-8192"}),
        (("--collector.slabinfo.slabs-include=^kmalloc",), {"kmalloc-8192"}),
        (("--collector.slabinfo.slabs-exclude=TCP",), {"kmalloc-8192"}),
        (("--collector.slabinfo.slabs-include=kmalloc", "--collector.slabinfo.slabs-exclude=8192"), set()),
    ],
)
def test_slabinfo_filters(tmp_path, flags, slabs):
    write_tree(tmp_path, {"proc/slabinfo": SLABINFO})
    families = make_collector("slabinfo", tmp_path, *flags).collect()
    assert {dict(s.labels)["slab"] for f in families for s in f.samples} == slabs


def test_slabinfo_invalid_filter(tmp_path):
    with pytest.raises(ConfigError):
        make_collector("slabinfo", tmp_path, "--collector.slabinfo.slabs-exclude=[")


def test_slabinfo_malformed_line(tmp_path):
    write_tree(tmp_path, {"proc/slabinfo": SLABINFO + "broken 1 2\n"})
    with pytest.raises(ParseError):
        list(make_collector("slabinfo", tmp_path).collect())


def test_slabinfo_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(make_collector("slabinfo", tmp_path).collect())
