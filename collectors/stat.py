"""stat: interrupts, context switches, forks, boot time and process states from /proc/stat."""

from __future__ import annotations

from collections.abc import Iterator

from pyexporter.flags import BoolFlag
from pyexporter.fs import read_text
from pyexporter.metrics import NAMESPACE, MetricFamily, counter, gauge
from pyexporter.procfs.stat import SOFTIRQ_VECTORS, parse_stat
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

SOFTIRQ = BoolFlag("collector.stat.softirq", "Export softirq calls per vector")


@register
class StatCollector(Collector):
    name = "stat"
    flags = (SOFTIRQ,)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.intr = counter(f"{NAMESPACE}_intr_total", "Total number of interrupts serviced.")
        self.ctxt = counter(f"{NAMESPACE}_context_switches_total", "Total number of context switches.")
        self.forks = counter(f"{NAMESPACE}_forks_total", "Total number of forks.")
        self.btime = gauge(f"{NAMESPACE}_boot_time_seconds", "Node boot time, in unixtime.")
        self.procs_running = gauge(f"{NAMESPACE}_procs_running", "Number of processes in runnable state.")
        self.procs_blocked = gauge(f"{NAMESPACE}_procs_blocked",
                                   "Number of processes blocked waiting for I/O to complete.")
        self.softirqs = counter(f"{NAMESPACE}_softirqs_total", "Number of softirq calls.", "vector")
        self.export_softirq = settings[SOFTIRQ]

    def collect(self) -> Iterator[MetricFamily]:
        stat = parse_stat(read_text(self.roots.proc("stat")))
        yield self.intr.one(stat.irq_total)
        yield self.ctxt.one(stat.context_switches)
        yield self.forks.one(stat.processes_created)
        yield self.btime.one(stat.boot_time)
        yield self.procs_running.one(stat.processes_running)
        yield self.procs_blocked.one(stat.processes_blocked)
        if self.export_softirq:
            fam = self.softirqs.family()
            for vector in SOFTIRQ_VECTORS:
                fam.add(getattr(stat.softirq, vector), vector)
            yield fam
