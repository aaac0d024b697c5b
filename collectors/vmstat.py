"""vmstat: the /proc/vmstat fields matching --collector.vmstat.fields, as untyped node_vmstat_<field>."""

from __future__ import annotations

import re

from pyexporter.fs import read_text
from pyexporter.metrics import NAMESPACE, UNTYPED, MetricFamily
from pyexporter.procfs.vmstat import parse_vmstat
from pyexporter.registry import Collector, Flag, register
from pyexporter.settings import Settings

_NAME_TAIL = re.compile(r"[a-zA-Z0-9_:]+")


@register
class VmstatCollector(Collector):
    name = "vmstat"
    flags = (Flag("collector.vmstat.fields", "Regexp of fields to return for vmstat collector.",
                  "^(oom_kill|pgpg|pswp|pg.*fault).*", "regex"),)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.fields = re.compile(self.flag("collector.vmstat.fields"))

    def collect(self) -> list[MetricFamily]:
        out = []
        # node_exporter parses every value before filtering: a bad line anywhere fails the scrape.
        for field, value in parse_vmstat(read_text(self.roots.proc("vmstat"))):
            if not self.fields.search(field):
                continue
            if not _NAME_TAIL.fullmatch(field):
                # node_exporter would panic on a name Prometheus cannot carry; skip it instead.
                continue
            fam = MetricFamily(f"{NAMESPACE}_vmstat_{field}", f"/proc/vmstat information field {field}.",
                               UNTYPED)
            out.append(fam.add(value))
        return out
