"""schedstat: per-CPU run and wait time and timeslices from /proc/schedstat."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from pyexporter.errors import NoDataError
from pyexporter.fs import read_optional_text
from pyexporter.metrics import NAMESPACE, MetricFamily, counter
from pyexporter.procfs.schedstat import parse_schedstat
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)

_NS_PER_SEC = 1e9


@register
class SchedstatCollector(Collector):
    name = "schedstat"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        s = f"{NAMESPACE}_schedstat"
        self.running = counter(
            f"{s}_running_seconds_total", "Number of seconds CPU spent running a process.", "cpu")
        self.waiting = counter(
            f"{s}_waiting_seconds_total",
            "Number of seconds spent by processing waiting for this CPU.", "cpu")
        self.timeslices = counter(f"{s}_timeslices_total", "Number of timeslices executed by CPU.", "cpu")

    def collect(self) -> Iterator[MetricFamily]:
        path = self.roots.proc("schedstat")
        text = read_optional_text(path)
        if text is None:
            log.debug("schedstat file does not exist")
            raise NoDataError(f"{path} does not exist")
        running, waiting, timeslices = self.running.family(), self.waiting.family(), self.timeslices.family()
        for cpu in parse_schedstat(text):
            running.add(cpu.running_nanoseconds / _NS_PER_SEC, cpu.cpu)
            waiting.add(cpu.waiting_nanoseconds / _NS_PER_SEC, cpu.cpu)
            timeslices.add(cpu.run_timeslices, cpu.cpu)
        yield from (running, waiting, timeslices)
