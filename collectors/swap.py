"""swap: size, use and priority of each swap device from /proc/swaps (node_swap_*)."""

from __future__ import annotations

from collections.abc import Iterator

from pyexporter.fs import read_text
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.procfs.swaps import parse_swaps
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings


@register
class SwapCollector(Collector):
    name = "swap"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        labels = ("device", "swap_type")
        self.size = gauge(f"{NAMESPACE}_swap_size_bytes", "Swap device size in bytes.", *labels)
        self.used = gauge(f"{NAMESPACE}_swap_used_bytes", "Swap device used in bytes.", *labels)
        self.priority = gauge(f"{NAMESPACE}_swap_priority", "Swap device priority.", *labels)

    def collect(self) -> Iterator[MetricFamily]:
        size, used, priority = self.size.family(), self.used.family(), self.priority.family()
        for swap in parse_swaps(read_text(self.roots.proc("swaps"))):
            size.add(swap.size_kib * 1024, swap.filename, swap.type)
            used.add(swap.used_kib * 1024, swap.filename, swap.type)
            priority.add(swap.priority, swap.filename, swap.type)
        yield from (size, used, priority)
