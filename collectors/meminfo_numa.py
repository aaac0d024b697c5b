"""meminfo_numa: per-NUMA-node memory from /sys/devices/system/node/node*/{meminfo,numastat}."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.fs import read_text, scan_dir
from pyexporter.golang.strconv import parse_float
from pyexporter.golang.strings import go_fields, go_lines, go_trim_space
from pyexporter.metrics import COUNTER, GAUGE, NAMESPACE, Desc, Families, MetricFamily
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

# `Active(anon)` becomes `Active_anon`, as node_exporter names it.
_PARENTHESES = re.compile(r"\((.*)\)")
_NODE_DIR = re.compile(r"node[0-9].*", re.DOTALL)
_NODE_NUMBER = re.compile(r".*devices/system/node/node([0-9]*)")


@dataclass(frozen=True, slots=True)
class NumaMetric:
    name: str
    type: str
    node: str
    value: float


def parse_node_meminfo(text: str) -> list[NumaMetric]:
    """`Node 0 MemTotal: 131928496 kB` lines; kB values become bytes."""
    out: list[NumaMetric] = []
    for raw_line in go_lines(text):
        line = go_trim_space(raw_line)
        if not line:
            continue
        parts = go_fields(line)
        if len(parts) < 4:
            raise ParseError(f"invalid line in node meminfo: {line[:80]!r}")
        value = parse_float(parts[3])
        if len(parts) == 5 and parts[4] == "kB":
            value *= 1024
        elif len(parts) != 4:
            raise ParseError(f"invalid line in node meminfo: {line[:80]!r}")
        name = _PARENTHESES.sub(r"_\1", parts[2].rstrip(":"))
        out.append(NumaMetric(name, GAUGE, parts[1], value))
    return out


def parse_node_numastat(text: str, node: str) -> list[NumaMetric]:
    """`numa_hit 193460335812` lines, exposed as `<name>_total` counters."""
    out: list[NumaMetric] = []
    for raw_line in go_lines(text):
        line = go_trim_space(raw_line)
        if not line:
            continue
        parts = go_fields(line)
        if len(parts) != 2:
            raise ParseError(f"numastat line did not have 2 fields: {line[:80]!r}")
        out.append(NumaMetric(parts[0] + "_total", COUNTER, node, parse_float(parts[1])))
    return out


@register
class MeminfoNumaCollector(Collector):
    name = "meminfo_numa"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        # Names come from the files; descriptors are made once per name seen.
        self.descs: dict[tuple[str, str], Desc] = {}

    def _desc(self, name: str, kind: str) -> Desc:
        desc = self.descs.get((name, kind))
        if desc is None:
            desc = self.descs[(name, kind)] = Desc(
                f"{NAMESPACE}_memory_numa_{name}", f"Memory information field {name}.", kind, ("node",)
            )
        return desc

    def collect(self) -> list[MetricFamily]:
        metrics: list[NumaMetric] = []
        for entry in scan_dir(self.roots.sys("devices", "system", "node")):
            if not _NODE_DIR.fullmatch(entry.name):
                continue
            metrics.extend(parse_node_meminfo(read_text(f"{entry.path}/meminfo")))
            number = _NODE_NUMBER.match(entry.path)
            if number is None:
                raise ParseError(f"device node string didn't match regexp: {entry.path}")
            metrics.extend(parse_node_numastat(read_text(f"{entry.path}/numastat"), number.group(1)))
        families = Families()
        for metric in metrics:
            families.of(self._desc(metric.name, metric.type)).add(metric.value, metric.node)
        return list(families.values())
