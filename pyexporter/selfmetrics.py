"""The exporter's own metrics: process_*, python_*, build info and promhttp_* counters.

node_exporter serves go_* and process_* from client_golang and counts its
scrapes in promhttp_metric_handler_*; pyexporter serves the same process_* and
promhttp_* families and Python's runtime in place of Go's, as
prometheus-client's process, gc and platform collectors write them. They are
read here directly: importing prometheus-client (and the HTTP server modules
it pulls in) cost more than a megabyte of the exporter's resident memory.
"""

from __future__ import annotations

import gc
import os
import platform
from collections import Counter

from pyexporter import NODE_EXPORTER_COMPAT, __version__, buildinfo
from pyexporter.metrics import MetricFamily, counter, gauge

_BUILD_INFO = gauge(
    "node_exporter_build_info",
    "A metric with a constant '1' value labeled by version, revision, branch, goversion from which "
    "node_exporter was built, and the goos and goarch for the build.",
    "branch", "goarch", "goos", "goversion", "revision", "tags", "version",
)
_REQUESTS = counter("promhttp_metric_handler_requests_total",
                    "Total number of scrapes by HTTP status code.", "code")
_IN_FLIGHT = gauge("promhttp_metric_handler_requests_in_flight", "Current number of scrapes being served.")
_ERRORS = counter("promhttp_metric_handler_errors_total",
                  "Total number of internal errors encountered by the promhttp metric handler.", "cause")


_VIRTUAL_MEMORY = gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.")
_RESIDENT_MEMORY = gauge("process_resident_memory_bytes", "Resident memory size in bytes.")
_START_TIME = gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.")
_CPU = counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.")
_OPEN_FDS = gauge("process_open_fds", "Number of open file descriptors.")
_MAX_FDS = gauge("process_max_fds", "Maximum number of open file descriptors.")
_GC_COLLECTED = counter("python_gc_objects_collected_total", "Objects collected during gc", "generation")
_GC_UNCOLLECTABLE = counter("python_gc_objects_uncollectable_total", "Uncollectable objects found during GC",
                            "generation")
_GC_COLLECTIONS = counter("python_gc_collections_total", "Number of times this generation was collected",
                          "generation")
_PYTHON_INFO = gauge("python_info", "Python platform information", "implementation", "major", "minor",
                     "patchlevel", "version")

#: The exporter's own process, whatever --path.procfs says.
_SELF = "/proc/self"


def _sysconf(name: str, default: int) -> int:
    try:
        return os.sysconf(name)
    except (ValueError, OSError):
        return default


def _boot_time() -> float | None:
    try:
        with open("/proc/stat", "rb") as stat:
            for line in stat:
                if line.startswith(b"btime "):
                    return float(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


class ProcessMetrics:
    """process_* of this process from /proc/self, as client libraries read them."""

    def __init__(self) -> None:
        self.ticks = float(_sysconf("SC_CLK_TCK", 100))
        self.page_size = _sysconf("SC_PAGE_SIZE", 4096)
        # Without a readable /proc there are no process metrics at all.
        self.boot_time = _boot_time()

    def families(self) -> list[MetricFamily]:
        if self.boot_time is None:
            return []
        out = []
        try:
            with open(f"{_SELF}/stat", "rb") as stat:
                parts = stat.read().split(b")")[-1].split()
            out += [
                _VIRTUAL_MEMORY.one(float(parts[20])),
                _RESIDENT_MEMORY.one(float(parts[21]) * self.page_size),
                _START_TIME.one(float(parts[19]) / self.ticks + self.boot_time),
                _CPU.one(float(parts[11]) / self.ticks + float(parts[12]) / self.ticks),
            ]
        except (OSError, ValueError, IndexError):
            pass
        try:
            max_fds = None
            with open(f"{_SELF}/limits", "rb") as limits:
                for line in limits:
                    if line.startswith(b"Max open file"):
                        max_fds = float(line.split()[3])
                        break
            out.append(_OPEN_FDS.one(len(os.listdir(f"{_SELF}/fd"))))
            if max_fds is not None:
                out.append(_MAX_FDS.one(max_fds))
        except (OSError, ValueError, IndexError):
            pass
        return out


def _gc_families() -> list[MetricFamily]:
    collected, uncollectable, collections = (_GC_COLLECTED.family(), _GC_UNCOLLECTABLE.family(),
                                             _GC_COLLECTIONS.family())
    for generation, stats in enumerate(gc.get_stats()):
        label = str(generation)
        collected.add(stats["collected"], label)
        uncollectable.add(stats["uncollectable"], label)
        collections.add(stats["collections"], label)
    return [collected, uncollectable, collections]


def _python_info() -> MetricFamily:
    major, minor, patchlevel = platform.python_version_tuple()
    return _PYTHON_INFO.one(1, platform.python_implementation(), major, minor, patchlevel,
                            platform.python_version())


class ExporterMetrics:
    """Counters the HTTP handler updates, and the families it appends to each scrape."""

    def __init__(self) -> None:
        self._process = ProcessMetrics()
        self._python_info = _python_info()
        # promhttp pre-creates the codes its handler can answer with.
        self.requests: Counter[str] = Counter({"200": 0, "500": 0, "503": 0})
        self.in_flight = 0
        self.errors: Counter[str] = Counter({"encoding": 0, "gathering": 0})
        self._build_info = _BUILD_INFO.one(
            1, "", platform.machine(), "linux", f"python{platform.python_version()}", buildinfo.revision(),
            f"pyexporter-{__version__}", f"{NODE_EXPORTER_COMPAT}-pyexporter-{__version__}",
        )

    def build_info(self) -> MetricFamily:
        return self._build_info

    def families(self) -> list[MetricFamily]:
        out = [*self._process.families(), *_gc_families(), self._python_info]
        requests = _REQUESTS.family()
        for code in sorted(self.requests):
            requests.add(self.requests[code], code)
        errors = _ERRORS.family()
        for cause in sorted(self.errors):
            errors.add(self.errors[cause], cause)
        out += [errors, _IN_FLIGHT.one(self.in_flight), requests]
        out.sort(key=lambda f: f.name)
        return out

