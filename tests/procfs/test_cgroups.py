"""/proc/cgroups's parser, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.cgroups import CgroupSummary, parse_cgroups


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


def test_procfs_cgroup_summary_lines():
    # procfs's TestParseCgroupSummaryString.
    assert parse_cgroups("cpuset\t7\t148\t1\n") == [CgroupSummary("cpuset", 7, 148, 1)]
    with pytest.raises(ParseError):
        parse_cgroups("memory\t9\t##\t1\n")
