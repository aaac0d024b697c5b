import pytest

from pyexporter.errors import NoDataError
from tests.support import collect_text, make_collector, samples, symlink, write_tree

NET = "sys/class/net"


def test_bonding(tmp_path):
    write_tree(tmp_path, {
        f"{NET}/bonding_masters": "bond0 bond1 empty ghost\n",
        f"{NET}/bond0/bonding/slaves": "eth0 eth1 eth2\n",
        f"{NET}/bond0/lower_eth0/bonding_slave/mii_status": "up\n",
        f"{NET}/bond0/lower_eth1/bonding_slave/mii_status": "down\n",
        # eth2's status cannot be read: configured, but not counted as active.
        f"{NET}/bond0/lower_eth2/bonding_slave/mii_status/": None,
        # Older kernels name the links slave_<dev>.
        f"{NET}/bond1/bonding/slaves": "eth3\n",
        f"{NET}/bond1/slave_eth3/bonding_slave/mii_status": "up\n",
        f"{NET}/empty/bonding/slaves": "\n",
    })
    symlink(tmp_path, f"{NET}/bond1/lower_eth9", "../../devices/gone")
    got = samples(make_collector("bonding", tmp_path).collect())
    assert got == {
        'node_bonding_slaves{master="bond0"}': 3,
        'node_bonding_active{master="bond0"}': 1,
        'node_bonding_slaves{master="bond1"}': 1,
        'node_bonding_active{master="bond1"}': 1,
        'node_bonding_slaves{master="empty"}': 0,
        'node_bonding_active{master="empty"}': 0,
    }


def test_bonding_help(tmp_path):
    write_tree(tmp_path, {f"{NET}/bonding_masters": "b\n", f"{NET}/b/bonding/slaves": ""})
    text = collect_text(make_collector("bonding", tmp_path))
    assert "# HELP node_bonding_slaves Number of configured slaves per bonding interface.\n" in text
    assert "# TYPE node_bonding_active gauge\n" in text


def test_bonding_without_driver(tmp_path):
    write_tree(tmp_path, {f"{NET}/eth0/mtu": "1500\n"})
    with pytest.raises(NoDataError):
        list(make_collector("bonding", tmp_path).collect())
