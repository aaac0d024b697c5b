"""Thermal zone and cooling device parsers, as tables of cases."""

from pathlib import Path

import pytest

from pyexporter.errors import ParseError
from pyexporter.sysfs.thermal import CoolingDevice, ThermalZone, parse_cooling, parse_zone


def test_parsers():
    assert parse_zone("thermal_zone12", "x", "p", "1000").name == "12"
    assert parse_zone("thermal_zone1", "x", None, "1000") is None
    with pytest.raises(ParseError):
        parse_zone("thermal_zone1", "x", "p", "1.5")
    assert parse_cooling("cooling_device3", "Fan", "3", "-1").cur_state == -1
    assert parse_cooling("cooling_device3", "Fan", None, "1") is None
    with pytest.raises(ParseError):
        parse_cooling("cooling_device3", "Fan", "", "1")


ZONE_ATTRIBUTES = ("type", "policy", "temp")
COOLING_ATTRIBUTES = ("type", "max_state", "cur_state")


def _attribute(path: Path) -> str | None:
    return path.read_text().strip() if path.is_file() else None


def test_procfs_thermal_zones(procfs_fixtures):
    # procfs's TestClassThermalZoneStats.
    thermal = procfs_fixtures / "sys/class/thermal"
    zones = [parse_zone(name, *(_attribute(thermal / name / attr) for attr in ZONE_ATTRIBUTES))
             for name in ("thermal_zone0", "thermal_zone1")]
    assert zones == [ThermalZone("0", "bcm2835_thermal", 49925), ThermalZone("1", "acpitz", -44000)]


def test_procfs_cooling_devices(procfs_fixtures):
    # procfs's TestClassCoolingDeviceStats: cooling_device1 has no cur_state and is left out.
    thermal = procfs_fixtures / "sys/class/thermal"
    devices = [parse_cooling(name, *(_attribute(thermal / name / attr) for attr in COOLING_ATTRIBUTES))
               for name in ("cooling_device0", "cooling_device1", "cooling_device2")]
    assert devices == [CoolingDevice("0", "Processor", 50, 0), None,
                       CoolingDevice("2", "intel_powerclamp", 27, -1)]
