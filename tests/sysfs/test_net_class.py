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


def test_procfs_net_class(procfs_fixtures):
    # procfs's TestNetClass: eth0, every attribute node_exporter reads (dormant is 1, netdev_group 0).
    directory = procfs_fixtures / "sys/class/net/eth0"
    values = {entry.name: entry.read_text().strip() for entry in directory.iterdir() if entry.is_file()}
    iface = parse_iface("eth0", values)
    assert iface.text == {"address": "01:01:01:01:01:01", "broadcast": "ff:ff:ff:ff:ff:ff", "duplex": "full",
                          "ifalias": "", "operstate": "up"}
    assert iface.numbers == {
        "addr_assign_type": 3, "carrier": 1, "carrier_changes": 2, "carrier_up_count": 1,
        "carrier_down_count": 1, "dev_id": 32, "dormant": 1, "flags": 4867, "ifindex": 2, "iflink": 2,
        "link_mode": 1, "mtu": 1500,
        "netdev_group": 0, "name_assign_type": 2, "tx_queue_len": 1000, "type": 1}
    assert iface.speed == 1000
