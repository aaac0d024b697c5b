import pytest

from pyexporter.collectors.netclass import NUMERIC_ATTRS, admin_state, speed_bytes
from pyexporter.sysfs import net_class
from tests.support import collect_text, make_collector, samples, symlink, write_tree

ETH0 = {
    "address": "01:01:01:01:01:01\n", "broadcast": "ff:ff:ff:ff:ff:ff\n", "duplex": "full\n",
    "operstate": "up\n", "ifalias": "\n", "flags": "0x1303\n", "mtu": "1500\n", "speed": "1000\n",
    "carrier": "1\n", "carrier_changes": "2\n", "carrier_up_count": "1\n", "carrier_down_count": "1\n",
    "addr_assign_type": "3\n", "dev_id": "0x20\n", "dormant": "0\n", "ifindex": "2\n", "iflink": "2\n",
    "link_mode": "1\n", "netdev_group": "0\n", "name_assign_type": "4\n", "tx_queue_len": "1000\n",
    "type": "1\n",
}


def tree(root, **extra):
    files = {f"sys/devices/pci0000:00/net/eth0/{k}": v for k, v in ETH0.items()}
    files.update({
        "sys/class/net/bonding_masters": "bond0\n",
        # A down link: speed refuses the read (a directory stands in for EINVAL), carrier is garbage.
        "sys/class/net/lo/operstate": "unknown\n",
        "sys/class/net/lo/flags": "0x9\n",
        "sys/class/net/lo/mtu": "65536\n",
        "sys/class/net/lo/speed": None,
        "sys/class/net/lo/carrier": "not-a-number\n",
        "sys/class/net/lo/duplex": "",
        "sys/class/net/dmz/operstate": "up\n",
    })
    files.update(extra)
    write_tree(root, files)
    symlink(root, "sys/class/net/eth0", "../../devices/pci0000:00/net/eth0")
    symlink(root, "sys/class/net/gone", "../../devices/virtual/net/gone")


def test_netclass_collector(tmp_path):
    tree(tmp_path)
    collector = make_collector("netclass", tmp_path, "--collector.netclass.ignored-devices=^dmz$")
    got = samples(collector.collect())
    assert got['node_network_up{device="eth0"}'] == 1
    assert got['node_network_up{device="lo"}'] == 0
    assert got['node_network_info{address="01:01:01:01:01:01",adminstate="up",broadcast="ff:ff:ff:ff:ff:ff",'
               'device="eth0",duplex="full",ifalias="",operstate="up"}'] == 1
    assert got['node_network_info{address="",adminstate="up",broadcast="",device="lo",duplex="",ifalias="",'
               'operstate="unknown"}'] == 1
    assert got['node_network_flags{device="eth0"}'] == 4867
    assert got['node_network_device_id{device="eth0"}'] == 32
    assert got['node_network_speed_bytes{device="eth0"}'] == 125000000
    assert got['node_network_mtu_bytes{device="lo"}'] == 65536
    assert got['node_network_carrier_changes_total{device="eth0"}'] == 2
    assert got['node_network_name_assign_type{device="eth0"}'] == 4
    assert got['node_network_protocol_type{device="eth0"}'] == 1
    # The unreadable speed and the unparsable carrier of lo are left out, not fatal.
    assert 'node_network_speed_bytes{device="lo"}' not in got
    assert 'node_network_carrier{device="lo"}' not in got
    # Ignored device, regular file and broken link give nothing.
    assert not any('"dmz"' in k or '"bonding_masters"' in k or '"gone"' in k for k in got)


def test_netclass_help_and_types(tmp_path):
    tree(tmp_path)
    text = collect_text(make_collector("netclass", tmp_path))
    assert "# HELP node_network_carrier_changes_total Network device property: carrier_changes_total\n" \
           "# TYPE node_network_carrier_changes_total counter\n" in text
    assert "# HELP node_network_up Value is 1 if operstate is 'up', 0 otherwise.\n" in text
    assert "# TYPE node_network_mtu_bytes gauge\n" in text


@pytest.mark.parametrize(
    ("flags", "expected"), [((), -125000), (("--collector.netclass.ignore-invalid-speed",), None)]
)
def test_netclass_invalid_speed(tmp_path, flags, expected):
    tree(tmp_path, **{"sys/devices/pci0000:00/net/eth0/speed": "-1\n"})
    got = samples(make_collector("netclass", tmp_path, *flags).collect())
    assert got.get('node_network_speed_bytes{device="eth0"}') == expected


def test_netclass_empty_device_directory(tmp_path):
    write_tree(tmp_path, {"sys/class/net/eth9": None})
    got = samples(make_collector("netclass", tmp_path).collect())
    assert got == {
        'node_network_up{device="eth9"}': 0,
        'node_network_info{address="",adminstate="unknown",broadcast="",device="eth9",duplex="",ifalias="",'
        'operstate=""}': 1,
    }


def test_admin_state_and_speed():
    assert admin_state(None) == "unknown"
    assert admin_state(0x1003) == "up"
    assert admin_state(0x1002) == "down"
    assert speed_bytes(1000) == 125000000
    assert speed_bytes(-1) == -125000
    assert speed_bytes(1) == 125000


def test_every_numeric_attribute_read_has_a_metric():
    assert tuple(attr for attr, _, _ in NUMERIC_ATTRS) == net_class.NUMERIC_ATTRS
