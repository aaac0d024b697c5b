import socket

import pytest

from pyexporter import rtnetlink
from pyexporter.errors import ParseError
from tests.procfs.test_net_arp import HEADER
from tests.support import collect_text, make_collector, samples, write_tree

ARP = HEADER + (
    "192.168.1.1    0x1         0x2         cc:aa:dd:ee:aa:bb     *        eth0\n"
    "192.168.1.2    0x1         0x2         bb:cc:dd:ee:ff:aa     *        eth0\n"
    "192.168.1.4    0x1         0x2         dd:ee:ff:aa:bb:cc     *        eth1\n"
    "10.0.0.1       0x1         0x0         00:00:00:00:00:00     *        nope\n"
)
NO_NETLINK = "--no-collector.arp.netlink"


def test_arp_from_procfs(tmp_path):
    write_tree(tmp_path, {"proc/net/arp": ARP})
    collector = make_collector("arp", tmp_path, NO_NETLINK, "--collector.arp.device-exclude=nope")
    assert samples(collector.collect()) == {'node_arp_entries{device="eth0"}': 2,
                                            'node_arp_entries{device="eth1"}': 1}
    assert "# HELP node_arp_entries ARP entries by device\n# TYPE node_arp_entries gauge\n" in collect_text(
        collector)


def test_include_and_exclude_both_apply(tmp_path):
    write_tree(tmp_path, {"proc/net/arp": ARP})
    collector = make_collector("arp", tmp_path, NO_NETLINK, "--collector.arp.device-include=^eth",
                               "--collector.arp.device-exclude=1$")
    assert samples(collector.collect()) == {'node_arp_entries{device="eth0"}': 2}


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(make_collector("arp", tmp_path, NO_NETLINK).collect())


def test_empty_file(tmp_path):
    write_tree(tmp_path, {"proc/net/arp": ""})
    assert samples(make_collector("arp", tmp_path, NO_NETLINK).collect()) == {}


def test_malformed_line(tmp_path):
    write_tree(tmp_path, {"proc/net/arp": ARP + "garbage line\n"})
    with pytest.raises(ParseError):
        list(make_collector("arp", tmp_path, NO_NETLINK).collect())


def test_arp_from_netlink_skips_noarp_entries(tmp_path, monkeypatch):
    monkeypatch.setattr(rtnetlink, "interface_names", lambda timeout: {1: "lo", 2: "eth0"})
    monkeypatch.setattr(rtnetlink, "neighbours", lambda family, timeout: [
        rtnetlink.Neighbour(2, 0x02, True), rtnetlink.Neighbour(2, 0x04, True),
        rtnetlink.Neighbour(1, rtnetlink.NUD_NOARP, True), rtnetlink.Neighbour(2, 0x02, False)])
    assert samples(make_collector("arp", tmp_path).collect()) == {'node_arp_entries{device="eth0"}': 2}


def test_arp_from_netlink_asks_for_ipv4_and_skips_vanished_interfaces(tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr(rtnetlink, "interface_names",
                        lambda timeout: asked.append(timeout) or {1: "lo", 3: "br0"})
    monkeypatch.setattr(rtnetlink, "neighbours", lambda family, timeout: asked.append((family, timeout)) or [
        rtnetlink.Neighbour(3, 0x02, True), rtnetlink.Neighbour(7, 0x02, True)])
    got = samples(make_collector("arp", tmp_path, "--collector.arp.device-exclude=^lo$",
                                 "--collector.timeout=2s").collect())
    assert got == {'node_arp_entries{device="br0"}': 1}
    # IPv4 neighbours first, then the names, each dump with the collector's timeout.
    assert asked == [(socket.AF_INET, 2.0), 2.0]


def test_arp_netlink_failure_is_an_error(tmp_path, monkeypatch):
    def refuse(family, timeout):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(rtnetlink, "neighbours", refuse)
    with pytest.raises(PermissionError):
        list(make_collector("arp", tmp_path).collect())
