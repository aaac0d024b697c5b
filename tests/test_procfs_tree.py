"""pyexporter on prometheus/procfs's own test tree, every collector enabled: each that reads the tree serves.

The tree holds what node_exporter's fixture tree lacks (a RAID reshape, inactive
and container md arrays, IPv6 sockets bound to link-local addresses, a
/proc/stat with 66,000 interrupt counters, ...). A collector may fail there only
where the tree lacks its file, and that list is checked too, so it cannot go
stale.
"""

from __future__ import annotations

import re
import sys

import pytest

from pyexporter.registry import load_collectors
from tests.support import scrape_once

#: Collectors whose files procfs's tree does not have: success 0, as in node_exporter.
TREE_LACKS = {
    "bonding": "no /sys/class/net/bonding_masters",
    "cgroups": "no /proc/cgroups",
    "conntrack": "no /proc/sys/net/netfilter/nf_conntrack_count",
    "drbd": "no /proc/drbd",
    "filefd": "no /proc/sys/fs/file-nr",
    "hwmon": "no /sys/class/hwmon",
    "meminfo_numa": "/sys/devices/system/node/node1 has no meminfo",
    "netstat": "no /proc/net/netstat",
    "os": "no etc/os-release or usr/lib/os-release below the root",
    "processes": "no /proc/sys/kernel/threads-max",
    "vmstat": "no /proc/vmstat",
    "zfs": "no /proc/spl/kstat/zfs",
}
#: Collectors that read no file of the tree: what they report depends on the machine, not on the tree.
NOT_FROM_THE_TREE = {
    "ethtool": "SIOCETHTOOL ioctls on the machine's devices",
    "logind": "the system D-Bus",
    "network_route": "an rtnetlink route dump",
    "ntp": "an NTP server",
    "perf": "perf_event_open(2)",
    "qdisc": "an rtnetlink qdisc dump",
    "runit": "the --collector.runit.servicedir directory",
    "supervisord": "supervisord's XML-RPC endpoint",
    "systemd": "the system D-Bus",
    "tcpstat": "sock_diag over netlink",
    "wifi": "nl80211 over netlink",
}
#: Collectors that would ask netlink by default read the tree's /proc/net files instead.
TREE_FLAGS = ("--no-collector.arp.netlink", "--no-collector.netdev.netlink")

_SUCCESS = re.compile(r'^node_scrape_collector_success\{collector="([^"]+)"\} (\S+)$', re.M)


@pytest.fixture(scope="module")
def success(procfs_fixtures):
    """{collector: success} of one scrape with every collector enabled on procfs's tree."""
    collectors = load_collectors()
    flags = [f"--path.procfs={procfs_fixtures / 'proc'}", f"--path.sysfs={procfs_fixtures / 'sys'}",
             f"--path.rootfs={procfs_fixtures}", *TREE_FLAGS,
             *(f"--collector.{name}" for name, cls in sorted(collectors.items()) if not cls.default_enabled)]
    body = scrape_once([sys.executable, "-m", "pyexporter"], flags)
    return {name: float(value) for name, value in _SUCCESS.findall(body)}


def test_the_lists_name_collectors_that_exist():
    names = set(load_collectors())
    assert set(TREE_LACKS) <= names
    assert set(NOT_FROM_THE_TREE) <= names
    assert not set(TREE_LACKS) & set(NOT_FROM_THE_TREE)


def test_every_collector_ran(success):
    assert set(success) == set(load_collectors())


def test_every_collector_that_reads_the_tree_serves(success):
    expected = set(success) - set(TREE_LACKS) - set(NOT_FROM_THE_TREE)
    assert sorted(name for name in expected if success[name] != 1) == []


def test_collectors_whose_files_the_tree_lacks_fail(success):
    # If one of these starts serving, the tree gained the file (or the collector changed): update the list.
    assert sorted(name for name in TREE_LACKS if success[name] != 0) == []
