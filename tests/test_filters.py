import re

import pytest

from pyexporter.errors import ConfigError
from pyexporter.filters import DeviceFilter


def test_exclude_and_include():
    f = DeviceFilter(exclude=re.compile("^lo$"), include=re.compile("^(eth|lo)"))
    assert f.ignored("lo")
    assert not f.ignored("eth0")
    assert f.ignored("wlan0")


def test_unset_patterns_ignore_nothing():
    assert not DeviceFilter().ignored("anything")
    # An empty pattern is a flag without a value, as node_exporter compares the flag with "".
    assert not DeviceFilter(re.compile(""), re.compile("")).ignored("anything")


def test_patterns_are_searched_not_anchored():
    assert DeviceFilter(exclude=re.compile("veth")).ignored("cali-veth123")


def test_exclusive_refuses_both():
    with pytest.raises(ConfigError, match="mutually exclusive"):
        DeviceFilter.exclusive(re.compile("a"), re.compile("b"), "device")
    assert DeviceFilter.exclusive(re.compile(""), re.compile("b"), "device").include is not None
