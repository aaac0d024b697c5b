"""The exporter's own metrics: process_*, python_*, build info and promhttp_* counters.

node_exporter serves go_* and process_* from client_golang and counts its
scrapes in promhttp_metric_handler_*; pyexporter serves the same process_* and
promhttp_* families (names, HELP, TYPE and sources as client_golang's process
collector), and Python's runtime in place of Go's as prometheus-client's gc and
platform collectors write it. They are read here directly, through the file
layer and the procfs parsers: importing prometheus-client (and the HTTP server
modules it pulls in) cost more than a megabyte of the exporter's resident memory.
"""

from __future__ import annotations

import gc
import os
import platform
from collections import Counter

from pyexporter import NODE_EXPORTER_COMPAT, __version__, buildinfo, fs
from pyexporter.errors import ParseError
from pyexporter.fs import Roots
from pyexporter.metrics import MetricFamily, counter, gauge
from pyexporter.procfs.proc_limits import parse_proc_limits
from pyexporter.procfs.proc_netstat import parse_proc_netstat
from pyexporter.procfs.proc_stat import parse_proc_stat
from pyexporter.procfs.stat import USER_HZ, parse_stat

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
_VIRTUAL_MEMORY_MAX = gauge("process_virtual_memory_max_bytes",
                            "Maximum amount of virtual memory available in bytes.")
_RESIDENT_MEMORY = gauge("process_resident_memory_bytes", "Resident memory size in bytes.")
_START_TIME = gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.")
_CPU = counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.")
_OPEN_FDS = gauge("process_open_fds", "Number of open file descriptors.")
_MAX_FDS = gauge("process_max_fds", "Maximum number of open file descriptors.")
_NETWORK_RECEIVE = counter("process_network_receive_bytes_total",
                           "Number of bytes received by the process over the network.")
_NETWORK_TRANSMIT = counter("process_network_transmit_bytes_total",
                            "Number of bytes sent by the process over the network.")
_GC_COLLECTED = counter("python_gc_objects_collected_total", "Objects collected during gc", "generation")
_GC_UNCOLLECTABLE = counter("python_gc_objects_uncollectable_total", "Uncollectable objects found during GC",
                            "generation")
_GC_COLLECTIONS = counter("python_gc_collections_total", "Number of times this generation was collected",
                          "generation")
_PYTHON_INFO = gauge("python_info", "Python platform information", "implementation", "major", "minor",
                     "patchlevel", "version")

#: The exporter's own process in the exporter's own /proc, whatever --path.procfs says: client_golang's
#: process collector reads procfs's default /proc too.
OWN_PROC = Roots()


def _boot_time(roots: Roots) -> int | None:
    try:
        return parse_stat(fs.read_text(roots.proc("stat"))).boot_time
    except (OSError, ParseError):
        return None


class ProcessMetrics:
    """process_* of this process, as client_golang's process collector reads them from /proc/self.

    Each of its sources (stat, fd, limits, net/netstat) is served or left out on its own, as
    client_golang leaves out what it cannot read.
    """

    def __init__(self, roots: Roots = OWN_PROC) -> None:
        self.roots = roots
        self.page_size = os.sysconf("SC_PAGE_SIZE")
        # Boot time does not change; procfs reads it for every process_start_time_seconds.
        self.boot_time = _boot_time(roots)

    def families(self) -> list[MetricFamily]:
        out: list[MetricFamily] = []
        try:
            stat = parse_proc_stat(fs.read_text(self.roots.proc("self", "stat")))
        except (OSError, ParseError):
            pass
        else:
            out += [_CPU.one((stat.utime + stat.stime) / USER_HZ), _VIRTUAL_MEMORY.one(float(stat.vsize)),
                    _RESIDENT_MEMORY.one(float(stat.rss * self.page_size))]
            if self.boot_time is not None:
                out.append(_START_TIME.one(self.boot_time + stat.starttime / USER_HZ))
        try:
            out.append(_OPEN_FDS.one(float(fs.count_open_fds(self.roots.proc("self", "fd")))))
        except OSError:
            pass
        try:
            limits = parse_proc_limits(fs.read_text(self.roots.proc("self", "limits")))
        except (OSError, ParseError):
            pass
        else:
            out += [_MAX_FDS.one(float(limits.open_files)),
                    _VIRTUAL_MEMORY_MAX.one(float(limits.address_space))]
        try:
            netstat = parse_proc_netstat(fs.read_text(self.roots.proc("self", "net", "netstat")))
        except (OSError, ParseError):
            pass
        else:
            # client_golang reports 0 for a counter the file does not have.
            out += [_NETWORK_RECEIVE.one(netstat.in_octets or 0.0),
                    _NETWORK_TRANSMIT.one(netstat.out_octets or 0.0)]
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

