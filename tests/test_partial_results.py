"""A collector that fails part way serves what it had produced, with success 0 (issue 16.7).

node_exporter's Update() sends metrics on a channel as it goes: when it returns an error, what it
sent is exposed and node_scrape_collector_success is 0. Here every collector yields its families
as it goes and the scrape engine keeps what was yielded before the exception. Each case breaks one
source part way through a collector's reading and checks, through the engine, that the families
node_exporter sends before that source are served and the later ones are not; where node_exporter
reads everything before it sends (meminfo, diskstats, one file), nothing is served.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from pyexporter.errors import NoDataError, ParseError
from pyexporter.scrape import ScrapeEngine, collect_until_error
from tests.support import make_collector, samples, write_tree

CPUINFO = ("processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 80\n"
           "model name\t: AMD Ryzen\ncache size\t: 512 KB\nphysical id\t: 0\ncore id\t\t: 3\n\n")
MEMINFO = "MemTotal:       15666184 kB\nMemFree:          440324 kB\n"
DISKSTATS = "   8       0 sda 1 2 3 4 5 6 7 8 9 10 11\n"
PSI_CPU = "some avg10=0.00 avg60=0.00 avg300=0.00 total=1000000\n"
ZFS_KSTAT = ("6 1 0x01 91 4368 5266997922 97951858082072\nname                            type data\n"
             "hits                            4    8772612\n")
DRBD = "version: 8.4.3\n 1: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n" \
       "    ns:100 nr:200 dw:x dr:4\n"


@dataclass
class Case:
    collector: str
    files: dict[str, str | None]
    #: Series (samples() keys) that must be served: what node_exporter sent before the failure.
    served: set[str]
    #: Family-name prefixes that must not be: read after the failure.
    not_served: tuple[str, ...]
    error: type[Exception]
    flags: tuple[str, ...] = ()
    only_served: bool = field(default=False)


CASES = {
    # /proc/cpuinfo is read and sent before /proc/stat.
    "cpu: good cpuinfo, bad stat": Case(
        "cpu", {"proc/cpuinfo": CPUINFO, "proc/stat": "cpu  1 2 x\n"},
        {'node_cpu_info{cachesize="512 KB",core="3",cpu="0",family="25",microcode="",model="80",'
         'model_name="AMD Ryzen",package="0",stepping="",vendor="AuthenticAMD"}'},
        ("node_cpu_seconds_total", "node_cpu_online"), ParseError, ("--collector.cpu.info",)),
    # One file, read whole before anything is sent: nothing of it is served, as in node_exporter.
    "meminfo: broken part way": Case(
        "meminfo", {"proc/meminfo": MEMINFO + "Buffers:    x kB\n"}, set(), ("node_memory_",), ParseError),
    "diskstats: broken part way": Case(
        "diskstats", {"proc/diskstats": DISKSTATS + "   8       1 sda1 1 x 3 4 5 6 7 8 9 10 11\n"}, set(),
        ("node_disk_",), ParseError),
    # Each file is read after the value before it was sent.
    "conntrack: count, then no limit": Case(
        "conntrack", {"proc/sys/net/netfilter/nf_conntrack_count": "123\n"},
        {"node_nf_conntrack_entries": 123}, ("node_nf_conntrack_entries_limit", "node_nf_conntrack_stat"),
        NoDataError, only_served=True),
    "entropy: available, then no pool size": Case(
        "entropy", {"proc/sys/kernel/random/entropy_avail": "3754\n"},
        {"node_entropy_available_bits": 3754}, ("node_entropy_pool_size_bits",), ParseError,
        only_served=True),
    "udp_queues: udp, then a bad udp6": Case(
        "udp_queues", {"proc/net/udp": "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
                                       "retrnsmt   uid  timeout inode\n",
                       "proc/net/udp6": "  sl  local_address\n   0: x\n"},
        {'node_udp_queues{ip="v4",queue="rx"}': 0, 'node_udp_queues{ip="v4",queue="tx"}': 0}, ('v6',),
        ParseError, only_served=True),
    "pressure: cpu, then a bad io": Case(
        "pressure", {"proc/pressure/cpu": PSI_CPU, "proc/pressure/io": "some nonsense\n"},
        {"node_pressure_cpu_waiting_seconds_total": 1.0}, ("node_pressure_io",), ParseError,
        only_served=True),
    "processes: threads, then no threads-max": Case(
        "processes", {"proc/self": None}, {"node_processes_threads": 0},
        ("node_processes_max_threads", "node_processes_pids"), FileNotFoundError, only_served=True),
    "mdadm: /proc/mdstat, then a bad md in sysfs": Case(
        "mdadm", {"proc/mdstat": "Personalities : [raid1]\nmd0 : active raid1 sdb1[1] sda1[0]\n"
                                 "      1000 blocks super 1.2 [2/2] [UU]\n\nunused devices: <none>\n",
                  "sys/block/md0/md/level": "raid1\n"},
        {'node_md_disks_required{device="md0"}': 2, 'node_md_blocks{device="md0"}': 1000},
        ("node_md_raid_disks", "node_md_degraded"), NoDataError),
    "zfs: arcstats, then a bad zfetchstats": Case(
        "zfs", {"proc/spl/kstat/zfs/arcstats": ZFS_KSTAT, "proc/spl/kstat/zfs/zfetchstats": "garbage\n"},
        {"node_zfs_arc_hits": 8772612}, ("node_zfs_zfetch",), ParseError, only_served=True),
    "drbd: values sent before a bad one": Case(
        "drbd", {"proc/drbd": DRBD},
        {'node_drbd_network_sent_bytes_total{device="drbd1"}': 100 * 1024,
         'node_drbd_network_received_bytes_total{device="drbd1"}': 200,  # node_exporter: no KiB scale
         'node_drbd_connected{device="drbd1"}': 1},
        ("node_drbd_disk_read_bytes_total",), ParseError),
    "sysctl: one sysctl, then a missing one": Case(
        "sysctl", {"proc/sys/vm/swappiness": "60\n"}, {"node_sysctl_vm_swappiness": 60},
        ("node_sysctl_vm_dirty",), FileNotFoundError,
        ("--collector.sysctl.include=vm.swappiness", "--collector.sysctl.include=vm.dirty_ratio"),
        only_served=True),
}


def _run(case: Case, tmp_path):
    write_tree(tmp_path, case.files)
    return collect_until_error(make_collector(case.collector, tmp_path, *case.flags))


@pytest.mark.parametrize("name", list(CASES))
def test_what_was_produced_before_the_failure_is_served(name, tmp_path):
    case = CASES[name]
    families, error = _run(case, tmp_path)
    assert isinstance(error, case.error), error
    got = samples(families)
    if isinstance(case.served, dict):
        assert {k: got.get(k) for k in case.served} == case.served
    else:
        assert case.served <= set(got), sorted(got)
    if case.only_served:
        assert set(got) == set(case.served), sorted(got)
    assert not [k for k in got if k.startswith(case.not_served) or any(p in k for p in case.not_served)]


async def test_the_engine_serves_them_with_success_0(tmp_path):
    case = CASES["cpu: good cpuinfo, bad stat"]
    write_tree(tmp_path, case.files)
    engine = ScrapeEngine({"cpu": make_collector("cpu", tmp_path, *case.flags)}, timeout=5)
    try:
        collection = await engine.scrape()
    finally:
        engine.shutdown()
    assert [(o.name, o.success) for o in collection.outcomes] == [("cpu", False)]
    names = {f.name for f in collection.families}
    assert "node_cpu_info" in names and "node_cpu_seconds_total" not in names
    assert {"node_scrape_collector_success", "node_scrape_collector_duration_seconds"} <= names
