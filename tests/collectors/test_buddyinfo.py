import pytest

from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree

BUDDYINFO = (
    "Node 0, zone      DMA      1      0      3 \n"
    "Node 0, zone    DMA32    759    572    791 \n"
    "Node 1, zone   Normal   4381   1093    185 \n"
)


def test_buddyinfo_collector(tmp_path):
    write_tree(tmp_path, {"proc/buddyinfo": BUDDYINFO})
    collector = make_collector("buddyinfo", tmp_path)
    got = samples(collector.collect())
    assert len(got) == 9
    assert got['node_buddyinfo_blocks{node="0",size="2",zone="DMA"}'] == 3
    assert got['node_buddyinfo_blocks{node="0",size="0",zone="DMA32"}'] == 759
    assert got['node_buddyinfo_blocks{node="1",size="1",zone="Normal"}'] == 1093
    text = collect_text(collector)
    assert "# HELP node_buddyinfo_blocks Count of free blocks according to size.\n" in text
    assert "# TYPE node_buddyinfo_blocks gauge\n" in text


def test_buddyinfo_malformed_line(tmp_path):
    write_tree(tmp_path, {"proc/buddyinfo": BUDDYINFO + "Node 2, zone\n"})
    with pytest.raises(ParseError):
        list(make_collector("buddyinfo", tmp_path).collect())


def test_buddyinfo_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(make_collector("buddyinfo", tmp_path).collect())


def test_buddyinfo_is_disabled_by_default(tmp_path):
    from tests.support import make_settings

    assert "buddyinfo" not in make_settings(tmp_path).enabled_collectors
    assert "buddyinfo" in make_settings(tmp_path, "--collector.buddyinfo").enabled_collectors
