import pytest

from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree

CGROUPS = "#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpuset\t5\t47\t1\nmemory\t0\t234\t0\n"


def test_cgroups_collector(tmp_path):
    write_tree(tmp_path, {"proc/cgroups": CGROUPS})
    collector = make_collector("cgroups", tmp_path)
    assert samples(collector.collect()) == {
        'node_cgroups_cgroups{subsys_name="cpuset"}': 47,
        'node_cgroups_cgroups{subsys_name="memory"}': 234,
        'node_cgroups_enabled{subsys_name="cpuset"}': 1,
        'node_cgroups_enabled{subsys_name="memory"}': 0,
    }
    text = collect_text(collector)
    assert "# HELP node_cgroups_enabled Current cgroup number of the subsystem.\n" in text


def test_cgroups_malformed_line(tmp_path):
    write_tree(tmp_path, {"proc/cgroups": CGROUPS + "broken 1\n"})
    with pytest.raises(ParseError):
        list(make_collector("cgroups", tmp_path).collect())


def test_cgroups_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(make_collector("cgroups", tmp_path).collect())
