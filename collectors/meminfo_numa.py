"""meminfo_numa: per-NUMA-node memory from /sys/devices/system/node/node*/{meminfo,numastat}."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pyexporter.errors import ParseError
from pyexporter.fs import read_text, scan_dir
from pyexporter.metrics import NAMESPACE, Desc, Families, MetricFamily
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.node import NumaMetric, parse_node_meminfo, parse_node_numastat

_NODE_DIR = re.compile(r"node[0-9].*", re.DOTALL)
_NODE_NUMBER = re.compile(r".*devices/system/node/node([0-9]*)")


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

    def collect(self) -> Iterator[MetricFamily]:
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
        yield from families.values()
