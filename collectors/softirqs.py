"""softirqs: per-CPU softirq counts from /proc/softirqs (node_softirqs_functions_total)."""

from __future__ import annotations

from collections.abc import Iterator

from pyexporter.fs import read_text
from pyexporter.metrics import NAMESPACE, MetricFamily, counter
from pyexporter.procfs.softirqs import parse_softirqs
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings


@register
class SoftirqsCollector(Collector):
    name = "softirqs"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.functions = counter(
            f"{NAMESPACE}_softirqs_functions_total", "Softirq counts per CPU.", "cpu", "type"
        )

    def collect(self) -> Iterator[MetricFamily]:
        family = self.functions.family()
        for name, counts in parse_softirqs(read_text(self.roots.proc("softirqs"))).items():
            for cpu, value in enumerate(counts):
                family.add(value, str(cpu), name)
        yield family
