"""buddyinfo: free blocks per order from /proc/buddyinfo (node_buddyinfo_blocks)."""

from __future__ import annotations

from collections.abc import Iterator

from pyexporter.fs import read_text
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.procfs.buddyinfo import parse_buddyinfo
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings


@register
class BuddyinfoCollector(Collector):
    name = "buddyinfo"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.blocks = gauge(
            f"{NAMESPACE}_buddyinfo_blocks", "Count of free blocks according to size.", "node", "zone", "size"
        )

    def collect(self) -> Iterator[MetricFamily]:
        family = self.blocks.family()
        for entry in parse_buddyinfo(read_text(self.roots.proc("buddyinfo"))):
            for size, value in enumerate(entry.sizes):
                family.add(value, entry.node, entry.zone, str(size))
        yield family
