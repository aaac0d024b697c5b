"""lnstat: the per-CPU network cache counters of /proc/net/stat/* (node_lnstat_*_total)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pyexporter.errors import ParseError
from pyexporter.fs import read_text, scan_dir
from pyexporter.metrics import NAMESPACE, Desc, MetricFamily, counter
from pyexporter.procfs.net_stat import parse_lnstat
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


@register
class LnstatCollector(Collector):
    name = "lnstat"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        # Counter names come from the files' headers; a descriptor is made once per name.
        self.descs: dict[str, Desc] = {}

    def _desc(self, header: str) -> Desc:
        desc = self.descs.get(header)
        if desc is None:
            name = f"{NAMESPACE}_lnstat_{header}_total"
            if not _METRIC_NAME.fullmatch(name):
                raise ParseError(f"lnstat: invalid counter name {header!r}")
            desc = self.descs[header] = counter(name, "linux network cache stats", "subsystem", "cpu")
        return desc

    def collect(self) -> Iterator[MetricFamily]:
        # node_exporter reads every file before it sends anything: one that fails, fails them all.
        families: list[MetricFamily] = []
        for entry in scan_dir(self.roots.proc("net", "stat")):
            # A directory there reads as empty in node_exporter: it yields nothing.
            if entry.is_dir():
                continue
            for header, values in parse_lnstat(read_text(entry.path)).items():
                family = self._desc(header).family()
                for cpu, value in enumerate(values):
                    family.add(value, entry.name, str(cpu))
                families.append(family)
        yield from families
