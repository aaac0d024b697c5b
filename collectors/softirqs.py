"""softirqs: per-CPU softirq counts from /proc/softirqs (node_softirqs_functions_total)."""

from __future__ import annotations

from pyexporter.errors import ParseError
from pyexporter.fs import read_text
from pyexporter.golang.strconv import parse_uint
from pyexporter.golang.strings import go_fields, go_lines
from pyexporter.metrics import NAMESPACE, MetricFamily, counter
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

#: The vectors procfs knows, in its order; other rows are ignored.
SOFTIRQ_TYPES = ("HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU")
_ROW_NAMES = {f"{name}:": name for name in SOFTIRQ_TYPES}


def parse_softirqs(text: str) -> dict[str, list[int]]:
    """Per-CPU counts of each known vector; the first line (CPU names) is not read."""
    all_lines = go_lines(text)
    if not all_lines:
        raise ParseError("softirqs empty")
    out: dict[str, list[int]] = {}
    for line in all_lines[1:]:
        parts = go_fields(line)
        if len(parts) < 2:
            continue
        name = _ROW_NAMES.get(parts[0])
        if name is not None:
            out[name] = [parse_uint(count) for count in parts[1:]]
    return out


@register
class SoftirqsCollector(Collector):
    name = "softirqs"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.functions = counter(
            f"{NAMESPACE}_softirqs_functions_total", "Softirq counts per CPU.", "cpu", "type"
        )

    def collect(self) -> list[MetricFamily]:
        family = self.functions.family()
        for name, counts in parse_softirqs(read_text(self.roots.proc("softirqs"))).items():
            for cpu, value in enumerate(counts):
                family.add(value, str(cpu), name)
        return [family]
