"""buddyinfo: free blocks per order from /proc/buddyinfo (node_buddyinfo_blocks)."""

from __future__ import annotations

from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.fs import read_text
from pyexporter.golang.strconv import parse_float
from pyexporter.golang.strings import go_fields, go_lines
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings


@dataclass(frozen=True, slots=True)
class BuddyInfo:
    node: str
    zone: str
    sizes: tuple[float, ...]


def parse_buddyinfo(text: str) -> list[BuddyInfo]:
    """`Node 0, zone DMA 1 0 ...` lines; every line must have the same number of orders."""
    out: list[BuddyInfo] = []
    bucket_count = -1
    for line in go_lines(text):
        parts = go_fields(line)
        # procfs refuses any line (even an empty one) without node and zone.
        if len(parts) < 4:
            raise ParseError(f"buddyinfo: invalid number of fields: {line[:80]!r}")
        node = parts[1].rstrip(",")
        zone = parts[3].rstrip(",")
        counts = parts[4:]
        if bucket_count == -1:
            bucket_count = len(counts)
        elif bucket_count != len(counts):
            raise ParseError(
                f"buddyinfo: mismatch in number of buckets, previous {bucket_count}, new {len(counts)}"
            )
        out.append(BuddyInfo(node, zone, tuple(parse_float(count) for count in counts)))
    return out


@register
class BuddyinfoCollector(Collector):
    name = "buddyinfo"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.blocks = gauge(
            f"{NAMESPACE}_buddyinfo_blocks", "Count of free blocks according to size.", "node", "zone", "size"
        )

    def collect(self) -> list[MetricFamily]:
        family = self.blocks.family()
        for entry in parse_buddyinfo(read_text(self.roots.proc("buddyinfo"))):
            for size, value in enumerate(entry.sizes):
                family.add(value, entry.node, entry.zone, str(size))
        return [family]
