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

from pyexporter.loader import load_collectors
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


def exporter_collectors() -> dict[str, type]:
    """The exporter's own collectors (other tests register fakes in this process's registry)."""
    return {name: cls for name, cls in load_collectors().items() if not cls.__module__.startswith("tests.")}


_SUCCESS = re.compile(r'^node_scrape_collector_success\{collector="([^"]+)"\} (\S+)$', re.M)


@pytest.fixture(scope="module")
def body(procfs_fixtures) -> str:
    """One scrape with every collector enabled on procfs's tree."""
    collectors = exporter_collectors()
    flags = [f"--path.procfs={procfs_fixtures / 'proc'}", f"--path.sysfs={procfs_fixtures / 'sys'}",
             f"--path.rootfs={procfs_fixtures}", *TREE_FLAGS,
             *(f"--collector.{name}" for name, cls in sorted(collectors.items()) if not cls.default_enabled)]
    return scrape_once([sys.executable, "-m", "pyexporter"], flags)


@pytest.fixture(scope="module")
def success(body) -> dict[str, float]:
    """{collector: success} of that scrape."""
    return {name: float(value) for name, value in _SUCCESS.findall(body)}


def test_the_lists_name_collectors_that_exist():
    names = set(exporter_collectors())
    assert set(TREE_LACKS) <= names
    assert set(NOT_FROM_THE_TREE) <= names
    assert not set(TREE_LACKS) & set(NOT_FROM_THE_TREE)


def test_every_collector_ran(success):
    assert set(success) == set(exporter_collectors())


def test_every_collector_that_reads_the_tree_serves(success):
    expected = set(success) - set(TREE_LACKS) - set(NOT_FROM_THE_TREE)
    assert sorted(name for name in expected if success[name] != 1) == []


def test_collectors_whose_files_the_tree_lacks_fail(success):
    # If one of these starts serving, the tree gained the file (or the collector changed): update the list.
    assert sorted(name for name in TREE_LACKS if success[name] != 0) == []


#: Values procfs's tests expect of the sysfs files these collectors read attribute by attribute (they
#: have no parser module of their own), as the collectors expose them.
PROCFS_EXPECTATIONS = {
    # sysfs/system_cpu_test.go: TestCPUThermalThrottle, TestCPUOnline.
    'node_cpu_package_throttles_total{package="0"}': 34818,
    'node_cpu_core_throttles_total{core="1",package="0"}': 523,
    'node_cpu_online{cpu="1"}': 0,
    # sysfs/system_cpu_test.go: TestSystemCpufreq (kHz in procfs, Hz here).
    'node_cpu_frequency_hertz{cpu="1"}': 1200195e3,
    'node_cpu_frequency_min_hertz{cpu="0"}': 800000e3,
    'node_cpu_frequency_max_hertz{cpu="1"}': 3300000e3,
    'node_cpu_scaling_frequency_hertz{cpu="0"}': 1219917e3,
    'node_cpu_scaling_governor{cpu="0",governor="powersave"}': 1,
    # sysfs/clocksource_test.go: TestNewClocksource.
    'node_time_clocksource_current_info{clocksource="tsc",device="0"}': 1,
    'node_time_clocksource_available_info{clocksource="acpi_pm",device="0"}': 1,
    # sysfs/class_drm_amdgpu_test.go: TestClassDRMCardAMDGPUStats.
    'node_drm_gpu_busy_percent{card="card0"}': 4,
    'node_drm_memory_gtt_size_bytes{card="card0"}': 8573157376,
    'node_drm_memory_gtt_used_bytes{card="card0"}': 144560128,
    'node_drm_memory_vram_used_bytes{card="card0"}': 1490378752,
    'node_drm_card_info{card="card0",memory_vendor="samsung",power_performance_level="manual",'
    'unique_id="0123456789abcdef",vendor="amd"}': 1,
    # sysfs/class_nvme_subsystem_test.go: TestNVMeSubsystemClass.
    'node_nvmesubsystem_paths{subsystem="nvme-subsys0"}': 3,
    'node_nvmesubsystem_paths_live{subsystem="nvme-subsys0"}': 2,
    'node_nvmesubsystem_path_state{controller="nvme2",state="dead",subsystem="nvme-subsys0",'
    'transport="fc"}': 1,
    'node_nvmesubsystem_path_state{controller="nvme4",state="connecting",subsystem="nvme-subsys1",'
    'transport="rdma"}': 1,
    # sysfs/class_power_supply_test.go: TestPowerSupplyClass (µWh in procfs, Wh here).
    'node_power_supply_capacity{power_supply="BAT0"}': 98,
    'node_power_supply_energy_full{power_supply="BAT0"}': 50.06,
    'node_power_supply_energy_full_design{power_supply="BAT0"}': 47.52,
    'node_power_supply_power_watt{power_supply="BAT0"}': 4.83,
    'node_power_supply_online{power_supply="AC"}': 0,
    # blockdevice/dm_multipath_test.go: TestDMMultipathDevices (mpathB is suspended).
    'node_dmmultipath_device_size_bytes{device="mpathA",sysfs_name="dm-1"}': 104857600 * 512,
    'node_dmmultipath_device_size_bytes{device="mpathB",sysfs_name="dm-2"}': 209715200 * 512,
    'node_dmmultipath_device_active{device="mpathB",sysfs_name="dm-2"}': 0,
    'node_dmmultipath_path_state{device="mpathA",path="sdc",state="offline"}': 1,
    # sysfs/class_fibrechannel_test.go: TestFibreChannelClass (host1 has counters and a port state only).
    'node_fibrechannel_invalid_crc_total{fc_host="host0"}': 0x2,
    'node_fibrechannel_fcp_packet_aborts_total{fc_host="host0"}': 0x13,
    'node_fibrechannel_invalid_crc_total{fc_host="host1"}': 0x20,
    'node_fibrechannel_nos_total{fc_host="host1"}': 0x120,
    'node_fibrechannel_fcp_packet_aborts_total{fc_host="host1"}': 0x130,
    'node_fibrechannel_info{dev_loss_tmo="",fabric_name="",fc_host="host1",port_id="",port_name="",'
    'port_state="Online",port_type="",speed="",supported_classes="",supported_speeds="",symbolic_name=""}': 1,
    # sysfs/class_dmi_test.go: TestDMIClass.
    'node_dmi_info{bios_date="04/12/2021",bios_release="2.2",bios_vendor="Dell Inc.",bios_version="2.2.4",'
    'board_name="07PXPY",board_serial=".7N62AI2.GRTCL6944100GP.",board_vendor="Dell Inc.",'
    'board_version="A01",'
    'chassis_asset_tag="",chassis_serial="7N62AI2",chassis_vendor="Dell Inc.",chassis_version="",'
    'product_family="PowerEdge",product_name="PowerEdge R6515",product_serial="7N62AI2",'
    'product_sku="SKU=NotProvided;ModelName=PowerEdge R6515",'
    'product_uuid="83340ca8-cb49-4474-8c29-d2088ca84dd9",'
    'product_version="",system_vendor="Dell Inc."}': 1,
    # mdstat_test.go: md42 is reshaping, a state node_exporter has no series for.
    'node_md_state{device="md42",state="active"}': 0,
    # sysfs/mdraid_test.go: the reshape's current disk count.
    'node_md_raid_disks{device="md8"}': 11,
}


def _samples(text: str) -> dict[str, float]:
    return {name: float(value) for name, value in
            (line.rsplit(" ", 1) for line in text.splitlines() if line and not line.startswith("#"))}


def test_collectors_show_what_procfs_expects_of_the_tree(body):
    samples = _samples(body)
    assert {key: samples.get(key) for key in PROCFS_EXPECTATIONS} == PROCFS_EXPECTATIONS
    # sysfs/mdraid_test.go: the container md7 has no disk count, so no series.
    assert 'node_md_raid_disks{device="md7"}' not in samples
