"""cgroups: the controller summary of /proc/cgroups (node_cgroups_cgroups, node_cgroups_enabled)."""

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
class CgroupSummary:
    subsys_name: str
    hierarchy: int
    cgroups: int
    enabled: int


def parse_cgroups(text: str) -> list[CgroupSummary]:
    """`subsys_name hierarchy num_cgroups enabled` lines; `#` lines are the header."""
    out: list[CgroupSummary] = []
    for line in go_lines(text):
        if line.startswith("#"):
            continue
        parts = go_fields(line)
        if len(parts) < 4:
            raise ParseError(f"cgroups: 4+ fields required, found {len(parts)}: {line[:80]!r}")
        out.append(CgroupSummary(parts[0], parse_int(parts[1]), parse_int(parts[2]), parse_int(parts[3])))
    return out


@register
class CgroupsCollector(Collector):
    name = "cgroups"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        # node_exporter gives both families the same HELP text.
        help_text = "Current cgroup number of the subsystem."
        self.cgroups = gauge(f"{NAMESPACE}_cgroups_cgroups", help_text, "subsys_name")
        self.enabled = gauge(f"{NAMESPACE}_cgroups_enabled", help_text, "subsys_name")

    def collect(self) -> list[MetricFamily]:
        cgroups, enabled = self.cgroups.family(), self.enabled.family()
        for summary in parse_cgroups(read_text(self.roots.proc("cgroups"))):
            cgroups.add(summary.cgroups, summary.subsys_name)
            enabled.add(summary.enabled, summary.subsys_name)
        return [cgroups, enabled]
