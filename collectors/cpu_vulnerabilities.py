"""cpu_vulnerabilities: /sys/devices/system/cpu/vulnerabilities/* as node_cpu_vulnerabilities_info.

Each file names one vulnerability; its text starts with the state ("Not
affected", "Vulnerable", "Mitigation: ...", "Unknown: ..."). Text in none of
these forms keeps state "unknown" with the whole text as mitigation, as
prometheus/procfs does.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from pyexporter import fs
from pyexporter.golang.strings import go_fields, go_trim_space
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

#: procfs's state prefixes (matched case-insensitively) in the order it tries them.
STATES = ("not affected", "vulnerable", "mitigation", "unknown")


class Vulnerability(NamedTuple):
    codename: str
    state: str
    mitigation: str


def parse_vulnerability(codename: str, text: str) -> Vulnerability:
    """One vulnerabilities/<codename> file."""
    raw = go_trim_space(text)
    lowered = raw.lower()
    for state in STATES:
        if lowered.startswith(state):
            if state == "not affected":
                return Vulnerability(codename, state, "")
            return Vulnerability(codename, state, " ".join(go_fields(raw)[1:]))
    return Vulnerability(codename, "unknown", raw)


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

    def collect(self) -> list[MetricFamily]:
        directory = self.roots.sys("devices", "system", "cpu", "vulnerabilities")
        info = self.info.family()
        # node_exporter globs "*": every entry, dot files included; an absent directory matches nothing.
        for codename in fs.list_dir(directory):
            text = fs.read_text(os.path.join(directory, codename))
            vulnerability = parse_vulnerability(codename, text)
            info.add(1, vulnerability.codename, vulnerability.state, vulnerability.mitigation)
        return [info]
