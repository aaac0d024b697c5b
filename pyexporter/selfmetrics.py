"""The exporter's own metrics: process_*, python_*, build info and promhttp_* counters.

node_exporter serves go_* and process_* from client_golang and counts its
scrapes in promhttp_metric_handler_*; pyexporter serves the same process_* and
promhttp_* families (from prometheus-client's process collector and its own
counters) and Python's runtime in place of Go's.
"""

from __future__ import annotations

import platform
from collections import Counter

from prometheus_client.metrics_core import Metric
from prometheus_client.registry import CollectorRegistry

from pyexporter import NODE_EXPORTER_COMPAT, __version__
from pyexporter.metrics import GAUGE, MetricFamily, counter, gauge

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


def _from_client(metric: Metric) -> MetricFamily:
    name = metric.name
    mtype = metric.type
    if mtype == "counter":
        name += "_total"
    elif mtype == "info":
        name += "_info"
        mtype = GAUGE
    elif mtype == "unknown":
        mtype = "untyped"
    fam = MetricFamily(name, metric.documentation, mtype)
    for sample in metric.samples:
        if sample.name.endswith("_created"):
            continue
        fam.add_sample(sample.name, sample.labels, sample.value)
    return fam


class ExporterMetrics:
    """Counters the HTTP handler updates, and the families it appends to each scrape."""

    def __init__(self) -> None:
        from prometheus_client import gc_collector, platform_collector, process_collector

        self._registry = CollectorRegistry(auto_describe=False)
        process_collector.ProcessCollector(registry=self._registry)
        gc_collector.GCCollector(registry=self._registry)
        platform_collector.PlatformCollector(registry=self._registry)
        # promhttp pre-creates the codes its handler can answer with.
        self.requests: Counter[str] = Counter({"200": 0, "500": 0, "503": 0})
        self.in_flight = 0
        self.errors: Counter[str] = Counter({"encoding": 0, "gathering": 0})
        self._build_info = _BUILD_INFO.one(
            1, "", platform.machine(), "linux", f"python{platform.python_version()}", "",
            f"pyexporter-{__version__}", f"{NODE_EXPORTER_COMPAT}-pyexporter-{__version__}",
        )

    def build_info(self) -> MetricFamily:
        return self._build_info

    def families(self) -> list[MetricFamily]:
        return sorted([*self.process_families(), *self.handler_families()], key=lambda f: f.name)

    def process_families(self) -> list[MetricFamily]:
        """process_* and python_*: the costly part (it reads /proc/self and lists the open fds)."""
        return sorted((_from_client(m) for m in self._registry.collect()), key=lambda f: f.name)

    def handler_families(self) -> list[MetricFamily]:
        """promhttp_*: the handler's counters, cheap, in name order."""
        requests = _REQUESTS.family()
        for code in sorted(self.requests):
            requests.add(self.requests[code], code)
        errors = _ERRORS.family()
        for cause in sorted(self.errors):
            errors.add(self.errors[cause], cause)
        return [errors, _IN_FLIGHT.one(self.in_flight), requests]

