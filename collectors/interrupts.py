"""interrupts: per-CPU interrupt counts from /proc/interrupts (node_interrupts_total)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from pyexporter.filters import DeviceFilter
from pyexporter.flags import BoolFlag, RegexFlag
from pyexporter.fs import read_text
from pyexporter.golang.strconv import parse_float
from pyexporter.metrics import NAMESPACE, MetricFamily, counter
from pyexporter.procfs.interrupts import parse_interrupts
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)


NAME_INCLUDE = RegexFlag(
    "collector.interrupts.name-include",
    "Regexp of interrupts name to include (mutually exclusive to --collector.interrupts.name-exclude).")
NAME_EXCLUDE = RegexFlag(
    "collector.interrupts.name-exclude",
    "Regexp of interrupts name to exclude (mutually exclusive to --collector.interrupts.name-include).")
INCLUDE_ZEROS = BoolFlag("collector.interrupts.include-zeros", "Include interrupts that have a zero value",
                         True)


@register
class InterruptsCollector(Collector):
    name = "interrupts"
    default_enabled = False
    flags = (NAME_INCLUDE, NAME_EXCLUDE, INCLUDE_ZEROS)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.total = counter(
            f"{NAMESPACE}_interrupts_total", "Interrupt details.", "cpu", "type", "info", "devices"
        )
        # node_exporter accepts both patterns at once despite the help text.
        self.name_filter = DeviceFilter(settings[NAME_EXCLUDE], settings[NAME_INCLUDE])
        self.include_zeros = settings[INCLUDE_ZEROS]

    def collect(self) -> Iterator[MetricFamily]:
        family = self.total.family()
        for name, irq in parse_interrupts(read_text(self.roots.proc("interrupts"))).items():
            # The filters see "name;info;devices", so a device name can select an IRQ.
            filter_name = f"{name};{irq.info};{irq.devices}"
            if self.name_filter.ignored(filter_name):
                log.debug("ignoring interrupt %s", filter_name)
                continue
            for cpu, raw in enumerate(irq.values):
                value = parse_float(raw)
                if not self.include_zeros and value == 0.0:
                    continue
                family.add(value, str(cpu), name, irq.info, irq.devices)
        yield family
