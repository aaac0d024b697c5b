import pytest

from pyexporter.collectors.cgroups import CgroupSummary, parse_cgroups
from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree

CGROUPS = "#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpuset\t5\t47\t1\nmemory\t0\t234\t0\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("", []),
        ("#subsys_name hierarchy num_cgroups enabled\n", []),
        ("cpu 3 172 1\n", [CgroupSummary("cpu", 3, 172, 1)]),
        ("rdma\t0\t1\t1\textra\n", [CgroupSummary("rdma", 0, 1, 1)]),
        ("#x\npids +1 -2 1\n", [CgroupSummary("pids", 1, -2, 1)]),
    ],
)
def test_parse_cgroups(data, expected):
    assert parse_cgroups(data) == expected


@pytest.mark.parametrize(
    "data", ["cpu 1 2\n", "\n", "cpu 1 0x10 1\n", "cpu 1 2 99999999999999999999\n", "\xff\xfe 1 2 z\n"]
)
def test_parse_cgroups_rejects(data):
    with pytest.raises(ParseError):
        parse_cgroups(data)


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


def test_cgroups_empty_file(tmp_path):
    write_tree(tmp_path, {"proc/cgroups": ""})
    assert samples(make_collector("cgroups", tmp_path).collect()) == {}


def test_cgroups_malformed_line(tmp_path):
    write_tree(tmp_path, {"proc/cgroups": CGROUPS + "broken 1\n"})
    with pytest.raises(ParseError):
        list(make_collector("cgroups", tmp_path).collect())


def test_cgroups_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(make_collector("cgroups", tmp_path).collect())
