"""loadavg: /proc/loadavg as node_load1, node_load5, node_load15."""

from __future__ import annotations

from collections.abc import Iterator

from pyexporter.fs import read_text
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.procfs.loadavg import parse_loadavg
from pyexporter.registry import Collector, register


@register
class LoadavgCollector(Collector):
    name = "loadavg"

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.descs = tuple(
            gauge(f"{NAMESPACE}_load{n}", f"{n}m load average.") for n in (1, 5, 15)
        )

    def collect(self) -> Iterator[MetricFamily]:
        loads = parse_loadavg(read_text(self.roots.proc("loadavg")))
        for desc, value in zip(self.descs, loads, strict=True):
            yield desc.one(value)
