"""swap: size, use and priority of each swap device from /proc/swaps (node_swap_*)."""

from __future__ import annotations

from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.fs import read_text
from pyexporter.golang.strconv import parse_int
from pyexporter.golang.strings import go_fields, go_lines
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings


@dataclass(frozen=True, slots=True)
class Swap:
    filename: str
    type: str
    size_kib: int
    used_kib: int
    priority: int


def parse_swaps(text: str) -> list[Swap]:
    """`Filename Type Size Used Priority` rows after the header line; sizes are in KiB."""
    out: list[Swap] = []
    for line in go_lines(text)[1:]:
        parts = go_fields(line)
        if len(parts) < 5:
            raise ParseError(f"swaps: too few fields in {line[:80]!r}")
        out.append(Swap(parts[0], parts[1], parse_int(parts[2]), parse_int(parts[3]), parse_int(parts[4])))
    return out


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

    def collect(self) -> list[MetricFamily]:
        size, used, priority = self.size.family(), self.used.family(), self.priority.family()
        for swap in parse_swaps(read_text(self.roots.proc("swaps"))):
            size.add(swap.size_kib * 1024, swap.filename, swap.type)
            used.add(swap.used_kib * 1024, swap.filename, swap.type)
            priority.add(swap.priority, swap.filename, swap.type)
        return [size, used, priority]
