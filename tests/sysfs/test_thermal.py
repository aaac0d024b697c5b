"""Thermal zone and cooling device parsers, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.sysfs.thermal import parse_cooling, parse_zone


def test_parsers():
    assert parse_zone("thermal_zone12", "x", "p", "1000").name == "12"
    assert parse_zone("thermal_zone1", "x", None, "1000") is None
    with pytest.raises(ParseError):
        parse_zone("thermal_zone1", "x", "p", "1.5")
    assert parse_cooling("cooling_device3", "Fan", "3", "-1").cur_state == -1
    assert parse_cooling("cooling_device3", "Fan", None, "1") is None
    with pytest.raises(ParseError):
        parse_cooling("cooling_device3", "Fan", "", "1")
