"""NUMA node meminfo and numastat parsers, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.metrics import COUNTER, GAUGE
from pyexporter.sysfs.node import NumaMetric, parse_node_meminfo, parse_node_numastat


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("", []),
        ("\n  \n", []),
        ("Node 0 MemFree: 1 kB\n", [NumaMetric("MemFree", GAUGE, "0", 1024.0)]),
        ("Node 3 Inactive(file): 2 kB\n", [NumaMetric("Inactive_file", GAUGE, "3", 2048.0)]),
        ("Node 0 HugePages_Free: 7\n", [NumaMetric("HugePages_Free", GAUGE, "0", 7.0)]),
    ],
)
def test_parse_node_meminfo(data, expected):
    assert parse_node_meminfo(data) == expected


@pytest.mark.parametrize(
    "data",
    ["Node 0 MemFree:\n", "Node 0 MemFree: x kB\n", "Node 0 MemFree: 1 MB\n", "Node 0 A: 1 kB extra\n"],
)
def test_parse_node_meminfo_rejects(data):
    with pytest.raises(ParseError):
        parse_node_meminfo(data)


def test_parse_node_numastat():
    assert parse_node_numastat("numa_hit 5\n\nother_node 1e3\n", "2") == [
        NumaMetric("numa_hit_total", COUNTER, "2", 5.0), NumaMetric("other_node_total", COUNTER, "2", 1000.0)
    ]
    for bad in ("numa_hit\n", "numa_hit 1 2\n", "numa_hit abc\n"):
        with pytest.raises(ParseError):
            parse_node_numastat(bad, "0")
