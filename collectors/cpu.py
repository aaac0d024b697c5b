"""cpu: CPU time from /proc/stat, CPU info from /proc/cpuinfo, isolation, thermal throttles, online state.

As node_exporter's cpu collector (Linux). The per-CPU seconds are served from
a cache that never goes backwards: a counter that drops is held at its last
value, and a CPU whose idle time drops by 3 s or more (a hotplug) starts over.
node_cpu_frequency_hertz from /proc/cpuinfo is not produced here (see README).
"""

from __future__ import annotations

import logging
import platform
import threading
from collections.abc import Iterator
from dataclasses import fields as dataclass_fields
from dataclasses import replace

from pyexporter.collectors._cpuinfo_flags import (
    BUGS_INCLUDE,
    FLAGS_INCLUDE,
    INFO,
    include_pattern,
    info_enabled,
)
from pyexporter.errors import ParseError
from pyexporter.flags import BoolFlag
from pyexporter.fs import list_dir, read_optional_text, read_text
from pyexporter.metrics import NAMESPACE, MetricFamily, counter, gauge
from pyexporter.procfs.cpuinfo import cpuinfo_format, parse_cpuinfo
from pyexporter.procfs.stat import CPUStat, parse_stat
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import read_uint, read_value
from pyexporter.sysfs.cpu import parse_cpu_list

log = logging.getLogger(__name__)

#: An idle counter that drops by this many seconds means the CPU was replugged.
JUMP_BACK_SECONDS = 3.0

_STAT_FIELDS = tuple(f.name for f in dataclass_fields(CPUStat))
_MODES = (("user", "user"), ("nice", "nice"), ("system", "system"), ("idle", "idle"), ("iowait", "iowait"),
          ("irq", "irq"), ("softirq", "softirq"), ("steal", "steal"))


def advance_cpu_stats(cache: dict[int, CPUStat], new: dict[int, CPUStat]) -> None:
    """Fold a fresh /proc/stat reading into the cache, as node_exporter's updateCPUStats."""
    for cpu_id, now in new.items():
        old = cache.get(cpu_id, CPUStat())
        if old.idle - now.idle >= JUMP_BACK_SECONDS:
            log.debug("CPU Idle counter jumped backwards more than %f seconds, possible hotplug event, "
                      "resetting CPU stats", JUMP_BACK_SECONDS, extra={"cpu": cpu_id})
            old = CPUStat()
        # Each mode only moves forward; a smaller reading keeps the previous value.
        changes = {}
        for name in _STAT_FIELDS:
            value = getattr(now, name)
            if value >= getattr(old, name):
                changes[name] = value
            else:
                log.debug("CPU %s counter jumped backwards", name, extra={"cpu": cpu_id})
        cache[cpu_id] = replace(old, **changes)
    if len(new) != len(cache):
        for cpu_id in [c for c in cache if c not in new]:
            del cache[cpu_id]


def _read_uint(path: str) -> int | None:
    """readUintFromFile: the whole file trimmed, as a decimal uint64; None when unreadable.

    node_exporter skips a CPU (or a count) on any error reading these.
    """
    try:
        return read_uint(path)
    except OSError:
        return None


GUEST = BoolFlag("collector.cpu.guest", "Enables metric node_cpu_guest_seconds_total", True)


@register
class CPUCollector(Collector):
    name = "cpu"
    flags = (GUEST, INFO, FLAGS_INCLUDE, BUGS_INCLUDE)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        sub = f"{NAMESPACE}_cpu"
        self.seconds = counter(f"{sub}_seconds_total", "Seconds the CPUs spent in each mode.", "cpu", "mode")
        self.guest = counter(f"{sub}_guest_seconds_total",
                             "Seconds the CPUs spent in guests (VMs) for each mode.", "cpu", "mode")
        self.info = gauge(f"{sub}_info", "CPU information from /proc/cpuinfo.", "package", "core", "cpu",
                          "vendor", "family", "model", "model_name", "microcode", "stepping", "cachesize")
        self.flag_info = gauge(f"{sub}_flag_info", "The `flags` field of CPU information from /proc/cpuinfo "
                               "taken from the first core.", "flag")
        self.bug_info = gauge(f"{sub}_bug_info", "The `bugs` field of CPU information from /proc/cpuinfo "
                              "taken from the first core.", "bug")
        self.core_throttles = counter(f"{sub}_core_throttles_total",
                                      "Number of times this CPU core has been throttled.", "package", "core")
        self.package_throttles = counter(f"{sub}_package_throttles_total",
                                         "Number of times this CPU package has been throttled.", "package")
        self.isolated_desc = gauge(f"{sub}_isolated", "Whether each core is isolated, information from "
                                   "/sys/devices/system/cpu/isolated.", "cpu")
        self.online_desc = gauge(f"{sub}_online", "CPUs that are online and being scheduled.", "cpu")

        self.enable_guest = settings[GUEST]
        self.flags_include = include_pattern(settings, FLAGS_INCLUDE)
        self.bugs_include = include_pattern(settings, BUGS_INCLUDE)
        self.enable_info = info_enabled(settings)
        if self.enable_info and not settings[INFO]:
            log.info("--collector.cpu.info has been set to `true` because you set the following flags, like "
                     "--collector.cpu.info.flags-include and --collector.cpu.info.bugs-include")
        self.cpuinfo_format = cpuinfo_format(platform.machine())

        self.cpu_dir = self.roots.sys("devices", "system", "cpu")
        # node_exporter reads the isolated list once, at start.
        self.isolated: list[int] | None = None
        self.isolated_error: Exception | None = None
        try:
            text = read_optional_text(self.roots.sys("devices", "system", "cpu", "isolated"))
            self.isolated = None if text is None else parse_cpu_list(text)
        except (OSError, ParseError) as exc:
            # node_exporter refuses to start here; failing each scrape is kinder.
            self.isolated_error = exc

        self._stats: dict[int, CPUStat] = {}
        self._lock = threading.Lock()

    def collect(self) -> Iterator[MetricFamily]:
        if self.isolated_error is not None:
            raise ParseError(f"unable to get isolated cpus: {self.isolated_error}")
        # In node_exporter's order, each part sent before the next is read.
        if self.enable_info:
            yield from self._collect_info()
        yield from self._collect_stat()
        if self.isolated is not None:
            fam = self.isolated_desc.family()
            for cpu in self.isolated:
                fam.add(1.0, str(cpu))
            yield fam
        yield from self._collect_thermal_throttle()
        yield from self._collect_online()

    def _collect_info(self) -> list[MetricFamily]:
        cpus = parse_cpuinfo(read_text(self.roots.proc("cpuinfo")), self.cpuinfo_format)
        info = self.info.family()
        for cpu in cpus:
            info.add(1.0, cpu.physical_id, cpu.core_id, str(cpu.processor), cpu.vendor_id, cpu.cpu_family,
                     cpu.model, cpu.model_name, cpu.microcode, cpu.stepping, cpu.cache_size)
        out = [info]
        if cpus:
            first = cpus[0]
            for desc, values, pattern in ((self.flag_info, first.flags, self.flags_include),
                                          (self.bug_info, first.bugs, self.bugs_include)):
                if pattern is None:
                    continue
                fam = desc.family()
                for value in values:
                    if pattern.search(value):
                        fam.add(1.0, value)
                out.append(fam)
        return out

    def _collect_stat(self) -> list[MetricFamily]:
        stat = parse_stat(read_text(self.roots.proc("stat")))
        with self._lock:
            advance_cpu_stats(self._stats, stat.cpu)
            snapshot = dict(self._stats)
        seconds = self.seconds.family()
        guest = self.guest.family()
        for cpu_id, cpu in snapshot.items():
            label = str(cpu_id)
            for attr, mode in _MODES:
                seconds.add(getattr(cpu, attr), label, mode)
            if self.enable_guest:
                # Guest time is also counted in user and nice; exposed apart as node_exporter does.
                guest.add(cpu.guest, label, "user")
                guest.add(cpu.guest_nice, label, "nice")
        return [seconds, guest] if self.enable_guest else [seconds]

    def _cpu_dirs(self) -> list[str]:
        """The entries matching sysfs's glob cpu[0-9]*, sorted as Go's filepath.Glob sorts them."""
        return [name for name in list_dir(self.cpu_dir) if name.startswith("cpu") and name[3:4].isdigit()
                and name[3:4].isascii()]

    def _collect_thermal_throttle(self) -> list[MetricFamily]:
        package_throttles: dict[int, int] = {}
        core_throttles: dict[int, dict[int, int]] = {}
        for name in self._cpu_dirs():
            base = self.roots.sys("devices", "system", "cpu", name)
            package = _read_uint(f"{base}/topology/physical_package_id")
            if package is None:
                log.debug("CPU is missing physical_package_id", extra={"cpu": base})
                continue
            core = _read_uint(f"{base}/topology/core_id")
            if core is None:
                log.debug("CPU is missing core_id", extra={"cpu": base})
                continue
            # Core throttles first: some CPU and kernel pairs report only those.
            cores = core_throttles.setdefault(package, {})
            if core not in cores:
                count = _read_uint(f"{base}/thermal_throttle/core_throttle_count")
                if count is not None:
                    cores[core] = count
                else:
                    log.debug("CPU is missing core_throttle_count", extra={"cpu": base})
            if package not in package_throttles:
                count = _read_uint(f"{base}/thermal_throttle/package_throttle_count")
                if count is not None:
                    package_throttles[package] = count
                else:
                    log.debug("CPU is missing package_throttle_count", extra={"cpu": base})
        packages = self.package_throttles.family()
        for package, count in package_throttles.items():
            packages.add(count, str(package))
        cores_fam = self.core_throttles.family()
        for package, cores in core_throttles.items():
            for core, count in cores.items():
                cores_fam.add(count, str(package), str(core))
        return [packages, cores_fam]

    def _collect_online(self) -> list[MetricFamily]:
        names = self._cpu_dirs()
        if not names:
            return []
        # node_exporter treats a missing online file on the first CPU (x86 cannot
        # unplug cpu0, so it has none) as "this kernel does not report it".
        if not self._online_reported(self.roots.sys("devices", "system", "cpu", names[0], "online")):
            return []
        fam = self.online_desc.family()
        for name in names:
            try:
                online = read_value(self.roots.sys("devices", "system", "cpu", name, "online"), None) == "1"
            except OSError:
                online = False
            fam.add(1.0 if online else 0.0, name[3:])
        return [fam]

    @staticmethod
    def _online_reported(path: str) -> bool:
        """Only a missing file means "not reported"; an unreadable one still counts as present."""
        try:
            return read_optional_text(path) is not None
        except (OSError, ParseError):
            return True
