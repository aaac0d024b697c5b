"""interrupts: per-CPU interrupt counts from /proc/interrupts (node_interrupts_total)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.filters import DeviceFilter
from pyexporter.fs import read_text
from pyexporter.golang.strconv import parse_float, parse_int
from pyexporter.golang.strings import go_fields, go_lines
from pyexporter.metrics import NAMESPACE, MetricFamily, counter
from pyexporter.registry import Collector, Flag, register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)

@dataclass(frozen=True, slots=True)
class Interrupt:
    name: str
    info: str
    devices: str
    values: tuple[str, ...]


def _is_numbered(name: str) -> bool:
    """strconv.Atoi succeeds: a numbered IRQ line carries chip info and devices separately."""
    try:
        parse_int(name)
    except ParseError:
        return False
    return True


def parse_interrupts(text: str) -> dict[str, Interrupt]:
    """Rows of /proc/interrupts by name; the header line tells the number of CPU columns.

    Rows with fewer values than CPUs (ERR, MIS) are skipped, as node_exporter does.
    Values stay strings: node_exporter parses them when it emits them.
    """
    all_lines = go_lines(text)
    if not all_lines:
        raise ParseError("interrupts empty")
    cpu_count = len(go_fields(all_lines[0]))
    out: dict[str, Interrupt] = {}
    for line in all_lines[1:]:
        # On aarch64 the value may follow the colon without a space.
        name, sep, rest = line.partition(":")
        if not sep:
            continue
        parts = go_fields(rest)
        if len(parts) < cpu_count + 1:
            continue
        name = name.lstrip(" ")
        values = tuple(parts[:cpu_count])
        if _is_numbered(name):
            out[name] = Interrupt(name, parts[cpu_count], " ".join(parts[cpu_count + 1:]), values)
        else:
            out[name] = Interrupt(name, " ".join(parts[cpu_count:]), "", values)
    return out


@register
class InterruptsCollector(Collector):
    name = "interrupts"
    default_enabled = False
    flags = (
        Flag("collector.interrupts.name-include",
             "Regexp of interrupts name to include (mutually exclusive to "
             "--collector.interrupts.name-exclude).",
             None, "regex"),
        Flag("collector.interrupts.name-exclude",
             "Regexp of interrupts name to exclude (mutually exclusive to "
             "--collector.interrupts.name-include).",
             None, "regex"),
        Flag("collector.interrupts.include-zeros", "Include interrupts that have a zero value", True, "bool"),
    )

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.total = counter(
            f"{NAMESPACE}_interrupts_total", "Interrupt details.", "cpu", "type", "info", "devices"
        )
        # node_exporter accepts both patterns at once despite the help text.
        self.name_filter = DeviceFilter(
            self.flag("collector.interrupts.name-exclude"), self.flag("collector.interrupts.name-include")
        )
        self.include_zeros: bool = self.flag("collector.interrupts.include-zeros")

    def collect(self) -> list[MetricFamily]:
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
        return [family]
