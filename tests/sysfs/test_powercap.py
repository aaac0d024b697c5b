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


def test_procfs_rapl_zones(procfs_fixtures):
    # procfs's TestGetRaplZones and TestNewRaplValues: the names of the zones with a name file, in
    # directory order; the third (package-10) has index 10.
    zone_dirs = sorted((procfs_fixtures / "sys/class/powercap").iterdir())
    names = [(entry / "name").read_text().strip() for entry in zone_dirs if (entry / "name").is_file()]
    counts: dict[str, int] = {}
    zones = []
    for name in names:
        zones.append(index_and_name(counts, name))
        counts[name] = counts.get(name, 0) + 1
    assert zones == [(0, "package"), (0, "core"), (10, "package")]
