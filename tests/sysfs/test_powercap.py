"""RAPL zone names, as a table of cases."""

import pytest

from pyexporter.sysfs.powercap import index_and_name


@pytest.mark.parametrize(
    ("counts", "name", "expected"),
    [({}, "package-0", (0, "package")), ({}, "core", (0, "core")), ({"dram": 1}, "dram", (1, "dram")),
     ({}, "psys-x", (0, "psys-x")), ({}, "a-b-1", (0, "a-b-1")), ({}, "package-+3", (3, "package"))],
)
def test_index_and_name(counts, name, expected):
    assert index_and_name(counts, name) == expected
