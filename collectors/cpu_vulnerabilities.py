"""cpu_vulnerabilities: /sys/devices/system/cpu/vulnerabilities/* as node_cpu_vulnerabilities_info.

Each file names one vulnerability; its text starts with the state ("Not
affected", "Vulnerable", "Mitigation: ...", "Unknown: ..."). Text in none of
these forms keeps state "unknown" with the whole text as mitigation, as
prometheus/procfs does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from pyexporter import fs
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.cpu import parse_vulnerability


@register
class CpuVulnerabilitiesCollector(Collector):
    name = "cpu_vulnerabilities"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.info = gauge(
            f"{NAMESPACE}_cpu_vulnerabilities_info",
            "Details of each CPU vulnerability reported by sysfs. The value of the series is an int encoded "
            "state of the vulnerability. The same state is stored as a string in the label",
            "codename", "state", "mitigation")

    def collect(self) -> Iterator[MetricFamily]:
        directory = self.roots.sys("devices", "system", "cpu", "vulnerabilities")
        info = self.info.family()
        # node_exporter globs "*": every entry, dot files included; an absent directory matches nothing.
        for codename in fs.list_dir(directory):
            text = fs.read_text(os.path.join(directory, codename))
            vulnerability = parse_vulnerability(codename, text)
            info.add(1, vulnerability.codename, vulnerability.state, vulnerability.mitigation)
        yield info
