"""perf: flag parsing, perf_event_attr and read-format decoding, the collector on fake events, and a
live comparison of the software profilers (and a tracepoint) with node_exporter on this machine."""

from __future__ import annotations

import errno
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from pyexporter.collectors import perf
from pyexporter.collectors.perf import (
    CACHE_COUNTERS,
    HARDWARE_COUNTERS,
    SOFTWARE_COUNTERS,
    CounterValue,
    GroupValue,
    PerfCollector,
    decode_counter,
    decode_group,
    event_attr,
    parse_cpus,
    parse_tracepoints,
    select_counters,
)
from pyexporter.errors import ConfigError, NoDataError, ParseError
from pyexporter.loader import load_collectors
from tests.support import NODE_EXPORTER, REPO, collect_text, make_settings, scrape_once, write_tree
from tests.sysfs.test_tracefs import U64_MAX


@pytest.mark.parametrize(
    ("flag", "cpus"),
    [
        ("0", [0]),
        ("3", [3]),
        ("0,2,4", [0, 2, 4]),
        ("0-3", [0, 1, 2, 3]),
        ("1-10:5", [1, 6]),  # start, start+stride, ... while not past the end
        ("0-8:4", [0, 4, 8]),
        ("2-2", [2]),
        ("5-3", []),  # an empty range, as node_exporter's loop
        ("0-1,1,3-4:1", [0, 1, 3, 4]),  # a CPU named twice is profiled once
        ("+1", [1]),  # strconv.Atoi takes a sign
        ("0-3:2:9", [0, 1, 2, 3]),  # more than one ':' leaves the stride at 1, as node_exporter
    ],
)
def test_parse_cpus(flag, cpus):
    assert parse_cpus(flag) == cpus


@pytest.mark.parametrize(
    "flag",
    ["a", "1,", ",1", "1 ", " 1", "1_0", "0-", "-1", "0-3-5", "0-3:x", "0-3:", "0-3:0", "0-3:-1",
     "1:2", "0x1", "١"],
)
def test_parse_cpus_rejects(flag):
    with pytest.raises(ParseError):
        parse_cpus(flag)


def test_parse_tracepoints():
    assert parse_tracepoints(["sched:sched_switch", "a:"]) == [("sched", "sched_switch"), ("a", "")]
    for bad in ("sched", "a:b:c", ""):
        with pytest.raises(ParseError):
            parse_tracepoints([bad])


def test_select_counters():
    names = [c.profiler for c in select_counters(HARDWARE_COUNTERS, ["CpuInstr", "Nope", "CpuCycles"])]
    assert names == ["CpuCycles", "CpuInstr"]
    assert select_counters(SOFTWARE_COUNTERS, []) == list(SOFTWARE_COUNTERS)
    # Only unknown names select nothing, which perf-utils reads as every profiler.
    assert select_counters(CACHE_COUNTERS, ["BusCycles"]) == list(CACHE_COUNTERS)


def test_event_attr_layout():
    raw = event_attr(perf.PERF_TYPE_HW_CACHE, 0x10002, 0x43, 3)
    assert len(raw) == perf.ATTR_SIZE
    assert struct.unpack_from("=IIQQQQQ", raw) == (3, perf.ATTR_SIZE, 0x10002, 0, 1 << 16, 3, 0x43)
    assert raw[48:] == bytes(perf.ATTR_SIZE - 48)


def test_cache_configs():
    configs = {c.profiler: c.config for c in CACHE_COUNTERS}
    assert [configs[n] for n in ("L1DataReadHit", "L1DataReadMiss", "L1DataWriteHit")] == [0, 0x10000, 0x100]
    assert [configs[n] for n in ("LLWriteMiss", "BPUReadHit", "DataTLBWriteMiss")] == [0x10102, 5, 0x10103]
    assert configs["InstrTLBReadMiss"] == 0x10004 and configs["L1InstrReadMiss"] == 0x10001


def _u64s(*values: int) -> bytes:
    return struct.pack(f"={len(values)}Q", *values)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_u64s(5, 100, 50), CounterValue(5, 100, 50)),  # multiplexed: reported unscaled, as perf-utils
        (_u64s(0, 0, 0), CounterValue(0, 0, 0)),
        (_u64s(U64_MAX, U64_MAX, 1), CounterValue(U64_MAX, U64_MAX, 1)),
    ],
)
def test_decode_counter(data, expected):
    assert decode_counter(data) == expected


@pytest.mark.parametrize("data", [b"", b"\x01", _u64s(1, 2), _u64s(1, 2, 3) + b"\0", _u64s(1, 2, 3, 4)])
def test_decode_counter_rejects_wrong_sizes(data):
    with pytest.raises(ParseError):
        decode_counter(data)


@pytest.mark.parametrize(
    ("data", "members", "expected"),
    [
        (_u64s(1, 10, 10, 7), 1, GroupValue(1, 10, 10, (7,))),
        (_u64s(3, 9, 8, 1, 2, U64_MAX), 3, GroupValue(3, 9, 8, (1, 2, U64_MAX))),
    ],
)
def test_decode_group(data, members, expected):
    assert decode_group(data, members) == expected


@pytest.mark.parametrize(
    ("data", "members"),
    [(b"", 1), (_u64s(1, 2, 3), 1), (_u64s(2, 1, 1, 5), 2), (_u64s(1, 1, 1, 5, 6), 1), (_u64s(0, 0, 0), 0),
     (b"\xff" * 31, 1)],
)
def test_decode_group_rejects(data, members):
    with pytest.raises(ParseError):
        decode_group(data, members)


# --- the collector on fake events -----------------------------------------------------------

class FakeEvents:
    """perf_event_open stand-in: refuses what `refuse` names, hands out fake fds, reads counters."""

    def __init__(self, refuse=(), fail_read=False):
        self.refuse = set(refuse)  # (type, config) pairs, or "all"
        self.fail_read = fail_read
        self.opened: dict[int, tuple] = {}
        self.closed: list[int] = []
        self.enabled: list[tuple[int, bool]] = []
        self.reads: dict[int, int] = {}
        self._next = 1000

    def open(self, attr: bytes, cpu: int, group_fd: int = -1) -> int:
        type_, _size, config, _period, _sample, read_format, bits = struct.unpack_from("=IIQQQQQ", attr)
        if "all" in self.refuse or (type_, config) in self.refuse:
            raise OSError(errno.ENOENT, "No such file or directory")
        self._next += 1
        self.opened[self._next] = (type_, config, cpu, group_fd, read_format, bits)
        return self._next

    def enable(self, fd: int, group: bool = False) -> None:
        self.enabled.append((fd, group))

    def read(self, fd: int, size: int) -> bytes:
        self.reads[fd] = self.reads.get(fd, 0) + 1
        if self.fail_read:
            raise OSError(errno.EIO, "Input/output error")
        _type, config, cpu, _group_fd, read_format, _bits = self.opened[fd]
        if read_format & perf.PERF_FORMAT_GROUP:
            members = [f for f, o in self.opened.items() if f == fd or o[3] == fd]
            return _u64s(len(members), 5, 5, *(self.opened[m][1] * 10 + cpu for m in members))[:size]
        return _u64s(config * 100 + cpu + self.reads[fd], 7, 7)  # grows by one per read


def make_perf(tmp_path: Path, *flags: str, events: FakeEvents | None = None) -> PerfCollector:
    load_collectors()
    return PerfCollector(make_settings(tmp_path, *flags), events=events or FakeEvents())


def close_fds_of(monkeypatch, events: FakeEvents):
    monkeypatch.setattr(perf, "_close_all", lambda fds: events.closed.extend(fds))


def test_software_counters_per_cpu(tmp_path, monkeypatch):
    events = FakeEvents(refuse={(perf.PERF_TYPE_HARDWARE, c.config) for c in HARDWARE_COUNTERS}
                        | {(perf.PERF_TYPE_HW_CACHE, c.config) for c in CACHE_COUNTERS})
    collector = make_perf(tmp_path, "--collector.perf.cpus=0,2", events=events)
    text = collect_text(collector)
    assert "# HELP node_perf_context_switches_total Number of context switches\n" in text
    assert "# TYPE node_perf_context_switches_total counter\n" in text
    assert 'node_perf_context_switches_total{cpu="2"} 303\n' in text  # config 3 * 100 + cpu 2 + 1st read
    assert 'node_perf_major_faults_total{cpu="0"} 601\n' in text
    assert "cpucycles" not in text and "cache_" not in text
    assert sorted({o[2] for o in events.opened.values()}) == [0, 2]
    # Every counter: disabled until enabled, inherit, exclude_hv; both times in the read format.
    assert {(o[4], o[5]) for o in events.opened.values()} == {(3, 0x43)}
    assert len(events.enabled) == 10


def test_counters_are_opened_once_and_reused(tmp_path):
    events = FakeEvents()
    collector = make_perf(tmp_path, "--collector.perf.cpus=1", events=events)
    list(collector.collect())
    first = dict(events.opened)
    list(collector.collect())
    assert events.opened == first
    assert len(first) == len(HARDWARE_COUNTERS) + len(SOFTWARE_COUNTERS) + len(CACHE_COUNTERS)


def test_profiler_flags_select_and_disable(tmp_path):
    events = FakeEvents()
    collector = make_perf(tmp_path, "--collector.perf.cpus=0", "--collector.perf.hardware-profilers=CpuInstr",
                          "--collector.perf.hardware-profilers=BranchMisses",
                          "--collector.perf.disable-software-profilers",
                          "--collector.perf.cache-profilers=LLReadMiss", events=events)
    names = {re.sub(r"\{.*", "", line) for line in collect_text(collector).splitlines()
             if not line.startswith("#")}
    assert names == {"node_perf_instructions_total", "node_perf_branch_misses_total",
                     "node_perf_cache_ll_read_misses_total"}


def test_nothing_opened_is_no_data(tmp_path):
    collector = make_perf(tmp_path, events=FakeEvents(refuse={"all"}))
    with pytest.raises(NoDataError):
        list(collector.collect())


def test_all_profilers_disabled_is_no_data(tmp_path):
    collector = make_perf(tmp_path, "--collector.perf.disable-hardware-profilers",
                          "--collector.perf.disable-software-profilers",
                          "--collector.perf.disable-cache-profilers")
    with pytest.raises(NoDataError):
        list(collector.collect())


def test_read_failure_closes_and_reopens(tmp_path, monkeypatch):
    events = FakeEvents(fail_read=True)
    close_fds_of(monkeypatch, events)
    collector = make_perf(tmp_path, "--collector.perf.cpus=0", "--collector.perf.disable-cache-profilers",
                          events=events)
    with pytest.raises(OSError):
        list(collector.collect())
    assert sorted(events.closed) == sorted(events.opened)
    events.fail_read = False
    list(collector.collect())
    assert len(events.opened) == 2 * (len(HARDWARE_COUNTERS) + len(SOFTWARE_COUNTERS))


def test_tracepoints_as_one_group_per_cpu(tmp_path):
    write_tree(tmp_path, {
        "proc/mounts": "proc /proc proc rw 0 0\ntracefs " + str(tmp_path / "tracing") + " tracefs rw 0 0\n",
        "tracing/events/sched/sched_switch/id": "372\n",
        "tracing/events/irq/softirq_entry/id": "15\n",
    })
    events = FakeEvents()
    collector = make_perf(tmp_path, "--collector.perf.cpus=0-1",
                          "--collector.perf.disable-hardware-profilers",
                          "--collector.perf.disable-software-profilers",
                          "--collector.perf.disable-cache-profilers",
                          "--collector.perf.tracepoint=sched:sched_switch",
                          "--collector.perf.tracepoint=irq:softirq_entry", events=events)
    assert collect_text(collector) == """\
# HELP node_perf_irq_softirq_entry Perf tracepoint irq:softirq_entry
# TYPE node_perf_irq_softirq_entry counter
node_perf_irq_softirq_entry{cpu="0"} 150
node_perf_irq_softirq_entry{cpu="1"} 151
# HELP node_perf_sched_sched_switch Perf tracepoint sched:sched_switch
# TYPE node_perf_sched_sched_switch counter
node_perf_sched_sched_switch{cpu="0"} 3720
node_perf_sched_sched_switch{cpu="1"} 3721
"""
    leaders = [fd for fd, o in events.opened.items() if o[3] == -1]
    assert len(leaders) == 2 and sorted(events.enabled) == [(fd, True) for fd in sorted(leaders)]
    for fd, (type_, _config, _cpu, _group_fd, read_format, bits) in events.opened.items():
        assert (type_, read_format) == (perf.PERF_TYPE_TRACEPOINT, 11)
        assert bits == (0x41 if fd in leaders else 0x40)  # only the leader starts disabled


def test_missing_tracepoint_is_no_data(tmp_path):
    mounts = f"tracefs {tmp_path / 't'} tracefs rw 0 0\n"
    write_tree(tmp_path, {"proc/mounts": mounts, "t/events": None})
    collector = make_perf(tmp_path, "--collector.perf.tracepoint=sched:nope")
    with pytest.raises(NoDataError):
        list(collector.collect())


def test_malformed_tracepoint_id_fails_and_closes(tmp_path, monkeypatch):
    write_tree(tmp_path, {"proc/mounts": "tracefs " + str(tmp_path / "t") + " tracefs rw 0 0\n",
                          "t/events/a/b/id": "garbage\n"})
    events = FakeEvents()
    close_fds_of(monkeypatch, events)
    collector = make_perf(tmp_path, "--collector.perf.cpus=0", "--collector.perf.tracepoint=a:b",
                          events=events)
    with pytest.raises(ParseError):
        list(collector.collect())
    assert sorted(events.closed) == sorted(events.opened)  # the counters opened before are closed


@pytest.mark.parametrize("flags", [("--collector.perf.cpus=0-x",), ("--collector.perf.tracepoint=nocolon",),
                                   ("--collector.perf.cpus=1-4:0",)])
def test_bad_flags_are_config_errors(tmp_path, flags):
    with pytest.raises(ConfigError):
        make_perf(tmp_path, *flags)


def test_flags_as_node_exporter():
    flags = {f.name: (f.default, f.kind.value, f.help) for f in PerfCollector.flags}
    assert flags["collector.perf.cpus"] == (
        "", "string", "List of CPUs from which perf metrics should be collected")
    assert flags["collector.perf.tracepoint"][1:] == ("list", "perf tracepoint that should be collected")
    assert flags["collector.perf.disable-cache-profilers"] == (False, "bool", "disable perf cache profilers")
    assert flags["collector.perf.software-profilers"][1:] == (
        "list", "perf software profilers that should be collected")
    assert len(flags) == 8 and not PerfCollector.default_enabled


# --- live, against node_exporter on this machine -----------------------------------------------

def _families(text: str, prefix: str) -> dict[str, tuple[str, str, frozenset]]:
    """name -> (HELP, TYPE, set of label sets) for the families starting with prefix."""
    helps, types, labels = {}, {}, {}
    for line in text.splitlines():
        if line.startswith("# HELP " + prefix):
            name, help_ = line[7:].split(" ", 1)
            helps[name] = help_
        elif line.startswith("# TYPE " + prefix):
            name, type_ = line[7:].split(" ", 1)
            types[name] = type_
        elif line.startswith(prefix):
            name, rest = line.split("{", 1) if "{" in line else (line.split(" ")[0], "")
            labels.setdefault(name, set()).add(rest.rsplit("}", 1)[0])
    return {n: (helps.get(n), types.get(n), frozenset(labels.get(n, ()))) for n in helps}


def _live_skip_reason() -> str | None:
    if not NODE_EXPORTER.exists():
        return "node_exporter missing"
    if perf.SYSCALL_NUMBERS.get(os.uname().machine) is None:
        return "unknown perf_event_open syscall number"
    return None


def test_live_software_profilers_agree_with_node_exporter(tmp_path):
    """Only the software counters open in a VM. node_exporter 1.5.0 has no profiler-selection flags
    (1.6.0 added them), so it runs with defaults and its software families are compared."""
    reason = _live_skip_reason()
    if reason:
        pytest.skip(reason)
    collector = load_collectors()["perf"](make_settings(
        tmp_path, "--path.procfs=/proc", "--collector.perf.disable-hardware-profilers",
        "--collector.perf.disable-cache-profilers"))
    try:
        list(collector.collect())
    except NoDataError:
        pytest.skip("the kernel refuses even software perf events here")
    ours = _families(collect_text(collector), "node_perf_")
    collector.close()
    text = scrape_once([str(NODE_EXPORTER)], ["--collector.disable-defaults", "--collector.perf"])
    theirs = _families(text, "node_perf_")
    software = {f"node_perf_{c.metric}" for c in SOFTWARE_COUNTERS}
    assert set(ours) == software
    assert {n: f for n, f in theirs.items() if n in software} == ours
    assert ours["node_perf_page_faults_total"][2] == frozenset(
        f'cpu="{i}"' for i in range(len(os.sched_getaffinity(0))))


_TRACEPOINT_SCRIPT = """
import subprocess, sys
subprocess.run(["mount", "-t", "debugfs", "nodev", "/sys/kernel/debug"], check=True)
from pathlib import Path
from tests.support import NODE_EXPORTER, collect_text, make_settings, scrape_once
from pyexporter.loader import load_collectors
flags = ["--collector.perf.tracepoint=sched:sched_switch", "--collector.perf.cpus=0"]
collector = load_collectors()["perf"](make_settings(Path(sys.argv[1]), "--path.procfs=/proc",
    "--collector.perf.disable-hardware-profilers", "--collector.perf.disable-software-profilers",
    "--collector.perf.disable-cache-profilers", *flags))
list(collector.collect())
print(collect_text(collector))
print("=====")
print(scrape_once([str(NODE_EXPORTER)], ["--collector.disable-defaults", "--collector.perf", *flags]))
"""


def test_live_tracepoint_agrees_with_node_exporter(tmp_path):
    """In a private mount namespace with debugfs mounted: node_exporter 1.5.0 looks for tracepoints
    only below /sys/kernel/debug/tracing, 1.12.1 (and pyexporter) also in a tracefs mount."""
    reason = _live_skip_reason()
    if reason or os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip(reason or "needs root and unshare for a private mount namespace")
    proc = subprocess.run(["unshare", "--mount", sys.executable, "-c", _TRACEPOINT_SCRIPT, str(tmp_path)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 and any(word in proc.stderr for word in ("mount", "perf", "unshare failed")):
        pytest.skip(f"no tracepoints here: {proc.stderr[-300:]}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    ours, theirs = proc.stdout.split("=====", 1)
    expected = {"node_perf_sched_sched_switch": ("Perf tracepoint sched:sched_switch", "counter",
                                                 frozenset({'cpu="0"'}))}
    assert _families(ours, "node_perf_") == expected
    # 1.5.0 cannot switch its profilers off: its software families come along and are left out here.
    assert _families(theirs, "node_perf_sched_") == expected
