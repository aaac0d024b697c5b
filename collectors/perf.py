"""perf: per-CPU hardware, software, cache and tracepoint counters from perf_event_open(2).

node_exporter opens its counters through hodgesds/perf-utils: one event per
counter and CPU (pid -1: every task on that CPU), with inherit and exclude_hv
set and read_format TOTAL_TIME_ENABLED|TOTAL_TIME_RUNNING, enabled once and
read with read(2) on every scrape. The reported value is the raw count: the
library reads time_enabled and time_running but does not scale by them.
Tracepoints are one group per CPU whose leader is read with PERF_FORMAT_GROUP.

Counters the kernel refuses (no PMU in a VM, perf_event_paranoid, an offline
CPU) are left out, as perf-utils drops them; a read that fails fails the
scrape, as node_exporter's Update does. Unlike node_exporter, which cannot
start when a tracepoint cannot be opened, this collector fails its scrapes;
and when nothing at all could be opened it reports no data.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import logging
import os
import platform
import re
import struct
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from pyexporter.errors import ConfigError, NoDataError, ParseError
from pyexporter.flags import BoolFlag, ListFlag, StringFlag
from pyexporter.fs import read_optional_text
from pyexporter.metrics import NAMESPACE, Desc, Families, MetricFamily, counter
from pyexporter.procfs.mounts import parse_tracefs_dir
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.tracefs import parse_tracepoint_id

log = logging.getLogger(__name__)

# --- the kernel interface (include/uapi/linux/perf_event.h) ---------------------------------

PERF_TYPE_HARDWARE = 0
PERF_TYPE_SOFTWARE = 1
PERF_TYPE_TRACEPOINT = 2
PERF_TYPE_HW_CACHE = 3

PERF_FORMAT_TOTAL_TIME_ENABLED = 1 << 0
PERF_FORMAT_TOTAL_TIME_RUNNING = 1 << 1
PERF_FORMAT_GROUP = 1 << 3
PERF_SAMPLE_IDENTIFIER = 1 << 16

ATTR_DISABLED = 1 << 0
ATTR_INHERIT = 1 << 1
ATTR_EXCLUDE_HV = 1 << 6

PERF_FLAG_FD_CLOEXEC = 1 << 3
PERF_EVENT_IOC_ENABLE = 0x2400  # _IO('$', 0)
PERF_IOC_FLAG_GROUP = 1

#: perf_event_open's syscall number; the C library has no wrapper for it.
SYSCALL_NUMBERS = {"x86_64": 298, "aarch64": 241, "arm64": 241}

#: The size given in perf_event_attr.size; the kernel accepts any size whose bytes past
#: what it knows are zero (PERF_ATTR_SIZE_VER7).
ATTR_SIZE = 128
_ATTR_HEAD = struct.Struct("=IIQQQQQ")  # type, size, config, sample_period, sample_type, read_format, bits
_U64 = struct.Struct("=Q")
_READ_FORMAT = struct.Struct("=QQQ")  # value, time_enabled, time_running

# Cache events: PERF_COUNT_HW_CACHE_<cache> | <op> << 8 | <result> << 16.
_L1D, _L1I, _LL, _DTLB, _ITLB, _BPU = 0, 1, 2, 3, 4, 5
_READ, _WRITE = 0, 1
_ACCESS, _MISS = 0, 1


def _cache(cache: int, op: int, result: int) -> int:
    return cache | op << 8 | result << 16


@dataclass(frozen=True, slots=True)
class Counter:
    """One counter node_exporter reports: its flag name, perf type and config, metric and HELP."""

    profiler: str
    type: int
    config: int
    metric: str
    help: str


HARDWARE_COUNTERS = (
    Counter("CpuCycles", PERF_TYPE_HARDWARE, 0, "cpucycles_total", "Number of CPU cycles (frequency scaled)"),
    Counter("CpuInstr", PERF_TYPE_HARDWARE, 1, "instructions_total", "Number of CPU instructions"),
    Counter("CacheRef", PERF_TYPE_HARDWARE, 2, "cache_refs_total",
            "Number of cache references (non frequency scaled)"),
    Counter("CacheMisses", PERF_TYPE_HARDWARE, 3, "cache_misses_total", "Number of cache misses"),
    Counter("BranchInstr", PERF_TYPE_HARDWARE, 4, "branch_instructions_total",
            "Number of CPU branch instructions"),
    Counter("BranchMisses", PERF_TYPE_HARDWARE, 5, "branch_misses_total", "Number of CPU branch misses"),
    Counter("StalledCyclesFrontend", PERF_TYPE_HARDWARE, 7, "stalled_cycles_frontend_total",
            "Number of stalled frontend CPU cycles"),
    Counter("StalledCyclesBackend", PERF_TYPE_HARDWARE, 8, "stalled_cycles_backend_total",
            "Number of stalled backend CPU cycles"),
    Counter("RefCpuCycles", PERF_TYPE_HARDWARE, 9, "ref_cpucycles_total", "Number of CPU cycles"),
)
SOFTWARE_COUNTERS = (
    Counter("PageFault", PERF_TYPE_SOFTWARE, 2, "page_faults_total", "Number of page faults"),
    Counter("ContextSwitch", PERF_TYPE_SOFTWARE, 3, "context_switches_total", "Number of context switches"),
    Counter("CpuMigration", PERF_TYPE_SOFTWARE, 4, "cpu_migrations_total",
            "Number of CPU process migrations"),
    Counter("MinorFault", PERF_TYPE_SOFTWARE, 5, "minor_faults_total", "Number of minor page faults"),
    Counter("MajorFault", PERF_TYPE_SOFTWARE, 6, "major_faults_total", "Number of major page faults"),
)
CACHE_COUNTERS = (
    Counter("L1DataReadHit", PERF_TYPE_HW_CACHE, _cache(_L1D, _READ, _ACCESS), "cache_l1d_read_hits_total",
            "Number L1 data cache read hits"),
    Counter("L1DataReadMiss", PERF_TYPE_HW_CACHE, _cache(_L1D, _READ, _MISS), "cache_l1d_read_misses_total",
            "Number L1 data cache read misses"),
    Counter("L1DataWriteHit", PERF_TYPE_HW_CACHE, _cache(_L1D, _WRITE, _ACCESS), "cache_l1d_write_hits_total",
            "Number L1 data cache write hits"),
    Counter("L1InstrReadMiss", PERF_TYPE_HW_CACHE, _cache(_L1I, _READ, _MISS),
            "cache_l1_instr_read_misses_total", "Number instruction L1 instruction read misses"),
    Counter("InstrTLBReadHit", PERF_TYPE_HW_CACHE, _cache(_ITLB, _READ, _ACCESS),
            "cache_tlb_instr_read_hits_total", "Number instruction TLB read hits"),
    Counter("InstrTLBReadMiss", PERF_TYPE_HW_CACHE, _cache(_ITLB, _READ, _MISS),
            "cache_tlb_instr_read_misses_total", "Number instruction TLB read misses"),
    Counter("DataTLBReadHit", PERF_TYPE_HW_CACHE, _cache(_DTLB, _READ, _ACCESS),
            "cache_tlb_data_read_hits_total", "Number of data TLB read hits"),
    Counter("DataTLBReadMiss", PERF_TYPE_HW_CACHE, _cache(_DTLB, _READ, _MISS),
            "cache_tlb_data_read_misses_total", "Number of data TLB read misses"),
    Counter("DataTLBWriteHit", PERF_TYPE_HW_CACHE, _cache(_DTLB, _WRITE, _ACCESS),
            "cache_tlb_data_write_hits_total", "Number of data TLB write hits"),
    Counter("DataTLBWriteMiss", PERF_TYPE_HW_CACHE, _cache(_DTLB, _WRITE, _MISS),
            "cache_tlb_data_write_misses_total", "Number of data TLB write misses"),
    Counter("LLReadHit", PERF_TYPE_HW_CACHE, _cache(_LL, _READ, _ACCESS), "cache_ll_read_hits_total",
            "Number last level read hits"),
    Counter("LLReadMiss", PERF_TYPE_HW_CACHE, _cache(_LL, _READ, _MISS), "cache_ll_read_misses_total",
            "Number last level read misses"),
    Counter("LLWriteHit", PERF_TYPE_HW_CACHE, _cache(_LL, _WRITE, _ACCESS), "cache_ll_write_hits_total",
            "Number last level write hits"),
    Counter("LLWriteMiss", PERF_TYPE_HW_CACHE, _cache(_LL, _WRITE, _MISS), "cache_ll_write_misses_total",
            "Number last level write misses"),
    Counter("BPUReadHit", PERF_TYPE_HW_CACHE, _cache(_BPU, _READ, _ACCESS), "cache_bpu_read_hits_total",
            "Number BPU read hits"),
    Counter("BPUReadMiss", PERF_TYPE_HW_CACHE, _cache(_BPU, _READ, _MISS), "cache_bpu_read_misses_total",
            "Number BPU read misses"),
)

# --- pure parts: flags, attributes, read formats ----------------------------------------------

_GO_INT = re.compile(r"[+-]?[0-9]+")


#: Linux's largest CONFIG_NR_CPUS is 8192; a CPU number far beyond it is a typo, and a range up
#: to it would otherwise build a list of billions of CPUs.
MAX_CPU = 1 << 16


def _atoi(text: str) -> int:
    """Go's strconv.Atoi: an optional sign and decimal digits, nothing else, within int64."""
    if not _GO_INT.fullmatch(text):
        raise ParseError(f"strconv.Atoi: parsing {text!r:.40}: invalid syntax")
    sign, digits = ("-" if text[0] == "-" else ""), text.lstrip("+-").lstrip("0") or "0"
    # Leading zeros count against Python's limit on digits converted; they mean nothing here.
    if len(digits) > 19 or not -(1 << 63) <= (value := int(sign + digits)) < 1 << 63:
        raise ParseError(f"strconv.Atoi: parsing {text!r:.40}: value out of range")
    return value


def parse_cpus(flag: str) -> list[int]:
    """--collector.perf.cpus: comma-separated CPUs and ranges, a range with an optional stride.

    As node_exporter: "1-10:5" is 1 and 6 (start, start+stride, ... up to end),
    and a repeated CPU is profiled once. A stride below 1 is rejected where
    node_exporter would loop for ever.
    """
    cpus: list[int] = []
    for subset in flag.split(","):
        if "-" not in subset:
            cpus.append(_atoi(subset))
            continue
        stride = 1
        stride_set = subset.split(":")
        if len(stride_set) == 2:
            stride = _atoi(stride_set[1])
        range_set = stride_set[0].split("-")
        if len(range_set) != 2:
            raise ParseError(f"invalid flag value {flag!r}")
        start, end = _atoi(range_set[0]), _atoi(range_set[1])
        if stride < 1:
            raise ParseError(f"invalid stride {stride} in {flag!r:.80}")
        if end >= MAX_CPU:
            raise ParseError(f"CPU {end} in {flag!r:.80} is beyond any machine's CPUs")
        cpus.extend(range(start, end + 1, stride))
    return list(dict.fromkeys(cpus))


def parse_tracepoints(values: Iterable[str]) -> list[tuple[str, str]]:
    """--collector.perf.tracepoint values as (subsystem, event); each must be exactly "a:b"."""
    out = []
    for value in values:
        parts = value.split(":")
        if len(parts) != 2:
            raise ParseError(f"invalid tracepoint config {value}")
        out.append((parts[0], parts[1]))
    return out


def select_counters(counters: Sequence[Counter], names: Sequence[str]) -> list[Counter]:
    """The counters a profiler flag selects. Unknown names are ignored, and selecting none means all:
    perf-utils' "all profilers" is the empty set, which node_exporter's ORing starts from."""
    wanted = set(names)
    return [c for c in counters if c.profiler in wanted] or list(counters)


def event_attr(type_: int, config: int, bits: int, read_format: int) -> bytes:
    """A struct perf_event_attr as perf_event_open(2) takes it."""
    head = _ATTR_HEAD.pack(type_, ATTR_SIZE, config, 0, PERF_SAMPLE_IDENTIFIER, read_format, bits)
    return head + bytes(ATTR_SIZE - len(head))


COUNTER_READ_FORMAT = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING
GROUP_READ_FORMAT = COUNTER_READ_FORMAT | PERF_FORMAT_GROUP


@dataclass(frozen=True, slots=True)
class CounterValue:
    value: int
    time_enabled: int
    time_running: int


@dataclass(frozen=True, slots=True)
class GroupValue:
    events: int
    time_enabled: int
    time_running: int
    values: tuple[int, ...]


def decode_counter(data: bytes) -> CounterValue:
    """A read(2) of one counter opened with TOTAL_TIME_ENABLED|TOTAL_TIME_RUNNING: value first."""
    if len(data) != _READ_FORMAT.size:
        raise ParseError(f"perf counter read returned {len(data)} bytes, {_READ_FORMAT.size} expected")
    return CounterValue(*_READ_FORMAT.unpack(data))


def decode_group(data: bytes, members: int) -> GroupValue:
    """A read(2) of a group leader with PERF_FORMAT_GROUP: nr, the two times, then one value per member."""
    size = _READ_FORMAT.size + _U64.size * members
    if members < 1 or len(data) != size:
        raise ParseError(f"perf group read returned {len(data)} bytes, {size} expected")
    nr, enabled, running = _READ_FORMAT.unpack_from(data)
    values = struct.unpack_from(f"={members}Q", data, _READ_FORMAT.size)
    return GroupValue(nr, enabled, running, values)


# --- the system calls -----------------------------------------------------------------------

class PerfEvents:
    """perf_event_open(2) through ctypes; raises OSError with the kernel's errno."""

    def __init__(self) -> None:
        number = SYSCALL_NUMBERS.get(platform.machine())
        if number is None:
            raise NoDataError(f"perf_event_open: unknown syscall number on {platform.machine()}")
        self._number = number
        self._syscall = ctypes.CDLL(None, use_errno=True).syscall
        self._syscall.restype = ctypes.c_long

    def open(self, attr: bytes, cpu: int, group_fd: int = -1) -> int:
        buffer = ctypes.create_string_buffer(attr, len(attr))
        fd = self._syscall(ctypes.c_long(self._number), buffer, ctypes.c_int(-1), ctypes.c_int(cpu),
                           ctypes.c_int(group_fd), ctypes.c_ulong(PERF_FLAG_FD_CLOEXEC))
        if fd < 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))
        return fd

    @staticmethod
    def enable(fd: int, group: bool = False) -> None:
        fcntl.ioctl(fd, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP if group else 0)

    @staticmethod
    def read(fd: int, size: int) -> bytes:
        return os.read(fd, size)


@dataclass(slots=True)
class _OpenCounter:
    counter: Counter
    cpu: str
    fd: int


@dataclass(slots=True)
class _OpenGroup:
    cpu: str
    fds: list[int]


def _close_all(fds: Iterable[int]) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


CPUS = StringFlag("collector.perf.cpus", "List of CPUs from which perf metrics should be collected", "")
TRACEPOINT = ListFlag("collector.perf.tracepoint", "perf tracepoint that should be collected")
#: Per kind of profiler: the flag that turns them off and the one that picks some.
PROFILER_FLAGS = {
    kind: (BoolFlag(f"collector.perf.disable-{kind}-profilers", f"disable perf {kind} profilers"),
           ListFlag(f"collector.perf.{kind}-profilers", f"perf {kind} profilers that should be collected"))
    for kind in ("hardware", "software", "cache")
}


@register
class PerfCollector(Collector):
    name = "perf"
    default_enabled = False
    flags = (CPUS, TRACEPOINT, *(flag for pair in PROFILER_FLAGS.values() for flag in pair))

    def __init__(self, settings: Settings, events: PerfEvents | None = None) -> None:
        super().__init__(settings)
        cpus_flag = settings[CPUS] or ""
        try:
            if cpus_flag:
                self.cpus = parse_cpus(cpus_flag)
            else:
                # Go's runtime.NumCPU: the CPUs this process may run on, counted, numbered from 0.
                self.cpus = list(range(len(os.sched_getaffinity(0))))
            self.tracepoints = parse_tracepoints(settings[TRACEPOINT])
        except ParseError as exc:
            raise ConfigError(str(exc)) from None
        self.counters: list[Counter] = []
        for kind, counters in (("hardware", HARDWARE_COUNTERS), ("software", SOFTWARE_COUNTERS),
                               ("cache", CACHE_COUNTERS)):
            disable, selected = PROFILER_FLAGS[kind]
            if not settings[disable]:
                self.counters += select_counters(counters, settings[selected])
        self.descs: dict[str, Desc] = {
            c.metric: counter(f"{NAMESPACE}_perf_{c.metric}", c.help, "cpu")
            for c in (*HARDWARE_COUNTERS, *SOFTWARE_COUNTERS, *CACHE_COUNTERS)
        }
        # Built without sanitizing, as node_exporter's BuildFQName does.
        self.tracepoint_descs = [
            counter(f"{NAMESPACE}_perf_{subsystem}_{event}", f"Perf tracepoint {subsystem}:{event}", "cpu")
            for subsystem, event in self.tracepoints
        ]
        self._events = events
        self._open: list[_OpenCounter] | None = None
        self._groups: list[_OpenGroup] = []
        # Concurrent scrapes share the open events: one opens or reads them at a time.
        self._lock = threading.Lock()

    # Opening happens at the first scrape, on the scrape's thread, not when --help builds collectors.
    def _open_counters(self, events: PerfEvents) -> list[_OpenCounter]:
        opened: list[_OpenCounter] = []
        refused: dict[str, int] = {}
        for cpu in self.cpus:
            for item in self.counters:
                attr = event_attr(item.type, item.config, ATTR_DISABLED | ATTR_EXCLUDE_HV | ATTR_INHERIT,
                                  COUNTER_READ_FORMAT)
                try:
                    fd = events.open(attr, cpu)
                except OSError as exc:
                    # perf-utils drops a counter the kernel refuses (ENOENT/EOPNOTSUPP without a PMU,
                    # EACCES under perf_event_paranoid, ENODEV for an offline CPU).
                    refused[item.profiler] = exc.errno or 0
                    continue
                opened.append(_OpenCounter(item, str(cpu), fd))
        for profiler, code in refused.items():
            log.debug("perf: %s profiler not available: %s", profiler, errno.errorcode.get(code, code))
        try:
            for entry in opened:
                events.enable(entry.fd)
        except OSError:
            _close_all(entry.fd for entry in opened)
            raise
        return opened

    def _tracing_dir(self) -> str:
        mounts = read_optional_text(self.roots.proc("mounts")) or ""
        found = parse_tracefs_dir(mounts)
        if found is None:
            raise NoDataError("perf: no tracefs or debugfs mount for tracepoints")
        return found

    def _open_groups(self, events: PerfEvents) -> list[_OpenGroup]:
        if not self.tracepoints:
            return []
        base = self._tracing_dir()
        configs = []
        for subsystem, event in self.tracepoints:
            text = read_optional_text(os.path.join(base, "events", subsystem, event, "id"))
            if text is None:
                raise NoDataError(f"perf: no tracepoint {subsystem}:{event}")
            configs.append(parse_tracepoint_id(text))
        groups: list[_OpenGroup] = []
        try:
            for cpu in self.cpus:
                fds: list[int] = []
                groups.append(_OpenGroup(str(cpu), fds))
                for i, config in enumerate(configs):
                    # The leader starts disabled and enables the whole group; members follow it.
                    bits = ATTR_DISABLED | ATTR_EXCLUDE_HV if i == 0 else ATTR_EXCLUDE_HV
                    attr = event_attr(PERF_TYPE_TRACEPOINT, config, bits, GROUP_READ_FORMAT)
                    fds.append(events.open(attr, cpu, fds[0] if fds else -1))
                events.enable(fds[0], group=True)
        except OSError:
            _close_all(fd for group in groups for fd in group.fds)
            raise
        return groups

    def _ensure_open(self) -> tuple[PerfEvents, list[_OpenCounter]]:
        if self._open is None or self._events is None:
            events = self._events if self._events is not None else PerfEvents()
            opened = self._open_counters(events)
            try:
                self._groups = self._open_groups(events)
            except BaseException:
                _close_all(entry.fd for entry in opened)
                raise
            self._events = events
            self._open = opened
        return self._events, self._open

    def close(self) -> None:
        """Close every event; the next scrape opens them again."""
        _close_all(entry.fd for entry in self._open or ())
        _close_all(fd for group in self._groups for fd in group.fds)
        self._open, self._groups = None, []

    def collect(self) -> Iterator[MetricFamily]:
        with self._lock:
            yield from self._collect()

    def _collect(self) -> Iterator[MetricFamily]:
        events, opened = self._ensure_open()
        if not opened and not self._groups:
            raise NoDataError("perf: the kernel refused every profiler")
        # node_exporter sends each counter as it reads it: the families are yielded first and filled
        # after, so a counter that cannot be read leaves the values read before it served.
        families = Families()
        for entry in opened:
            families.of(self.descs[entry.counter.metric])
        tracepoint_families = [desc.family() for desc in self.tracepoint_descs]
        yield from families.values()
        yield from tracepoint_families
        try:
            for entry in opened:
                value = decode_counter(events.read(entry.fd, _READ_FORMAT.size))
                families.of(self.descs[entry.counter.metric]).add(value.value, entry.cpu)
            members = len(self.tracepoint_descs)
            for group in self._groups:
                raw = events.read(group.fds[0], _READ_FORMAT.size + _U64.size * members)
                read = decode_group(raw, members)
                for family, value in zip(tracepoint_families, read.values, strict=True):
                    family.add(value, group.cpu)
        except (OSError, ParseError):
            # A counter that cannot be read is not read again: start over at the next scrape.
            self.close()
            raise

    def __del__(self) -> None:
        if hasattr(self, "_groups"):
            self.close()
