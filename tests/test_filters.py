import pytest

from pyexporter.errors import ConfigError
from pyexporter.filters import DeviceFilter


def test_exclude_and_include():
    f = DeviceFilter(exclude="^lo$", include="^(eth|lo)")
    assert f.ignored("lo")
    assert not f.ignored("eth0")
    assert f.ignored("wlan0")


def test_unset_patterns_ignore_nothing():
    assert not DeviceFilter().ignored("anything")
    assert not DeviceFilter("", "").ignored("anything")


def test_patterns_are_searched_not_anchored():
    assert DeviceFilter(exclude="veth").ignored("cali-veth123")


def test_exclusive_refuses_both():
    with pytest.raises(ConfigError, match="mutually exclusive"):
        DeviceFilter.exclusive("a", "b", "device")


def test_bad_regex_is_config_error():
    with pytest.raises(ConfigError):
        DeviceFilter(exclude="(")
