"""vmstat: the /proc/vmstat fields matching --collector.vmstat.fields, as untyped node_vmstat_<field>."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pyexporter.flags import RegexFlag
from pyexporter.fs import read_text
from pyexporter.metrics import NAMESPACE, UNTYPED, MetricFamily
from pyexporter.procfs.vmstat import parse_vmstat
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

_NAME_TAIL = re.compile(r"[a-zA-Z0-9_:]+")


FIELDS = RegexFlag("collector.vmstat.fields", "Regexp of fields to return for vmstat collector.",
                   "^(oom_kill|pgpg|pswp|pg.*fault).*")


@register
class VmstatCollector(Collector):
    name = "vmstat"
    flags = (FIELDS,)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.fields = settings[FIELDS] or re.compile("")

    def collect(self) -> Iterator[MetricFamily]:
        # node_exporter parses every value before filtering: a bad line anywhere fails the scrape.
        for field, value in parse_vmstat(read_text(self.roots.proc("vmstat"))):
            if not self.fields.search(field):
                continue
            if not _NAME_TAIL.fullmatch(field):
                # node_exporter would panic on a name Prometheus cannot carry; skip it instead.
                continue
            fam = MetricFamily(f"{NAMESPACE}_vmstat_{field}", f"/proc/vmstat information field {field}.",
                               UNTYPED)
            yield fam.add(value)
