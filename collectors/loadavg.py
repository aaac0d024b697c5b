"""loadavg: /proc/loadavg as node_load1, node_load5, node_load15."""

from __future__ import annotations

from collections.abc import Iterator

from pyexporter.errors import ParseError
from pyexporter.fs import read_text
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.registry import Collector, register


def parse_loadavg(text: str) -> tuple[float, float, float]:
    """The three load averages from the first line of /proc/loadavg."""
    parts = text.split()
    if len(parts) < 3:
        raise ParseError(f"unexpected /proc/loadavg content: {text[:80]!r}")
    try:
        return float(parts[0]), float(parts[1]), float(parts[2])
    except ValueError as exc:
        raise ParseError(f"invalid load average in /proc/loadavg: {exc}") from None


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
