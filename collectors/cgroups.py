"""cgroups: the controller summary of /proc/cgroups (node_cgroups_cgroups, node_cgroups_enabled)."""

from __future__ import annotations

from collections.abc import Iterator

from pyexporter.fs import read_text
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.procfs.cgroups import parse_cgroups
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings


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

    def collect(self) -> Iterator[MetricFamily]:
        cgroups, enabled = self.cgroups.family(), self.enabled.family()
        for summary in parse_cgroups(read_text(self.roots.proc("cgroups"))):
            cgroups.add(summary.cgroups, summary.subsys_name)
            enabled.add(summary.enabled, summary.subsys_name)
        yield from (cgroups, enabled)
