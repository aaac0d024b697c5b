"""The network device attribute parser, as a table of cases."""

import pytest

from pyexporter.sysfs.net_class import parse_iface


@pytest.mark.parametrize(
    ("values", "numbers", "speed"),
    [
        ({}, {}, None),
        ({"flags": "0x1003", "mtu": "1500"}, {"flags": 4099, "mtu": 1500}, None),
        ({"mtu": "", "flags": "garbage", "speed": "-1"}, {}, -1),
        ({"mtu": "99999999999999999999"}, {}, None),
        ({"ifindex": "010"}, {"ifindex": 8}, None),
    ],
)
def test_parse_iface(values, numbers, speed):
    iface = parse_iface("x", values)
    assert iface.numbers == numbers
    assert iface.speed == speed
