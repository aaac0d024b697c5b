"""pressure: pressure stall information (PSI) totals from /proc/pressure/{cpu,io,memory,irq}."""

from __future__ import annotations

import errno
import logging
from collections.abc import Iterator

from pyexporter.errors import NoDataError
from pyexporter.fs import read_text
from pyexporter.metrics import NAMESPACE, MetricFamily, counter
from pyexporter.procfs.pressure import parse_psi
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)

RESOURCES = ("cpu", "io", "memory", "irq")


def _seconds(microseconds: int) -> float:
    """Microseconds to seconds in two steps, as node_exporter divides (the rounding differs from 1e6)."""
    return microseconds / 1000.0 / 1000.0


@register
class PressureCollector(Collector):
    name = "pressure"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        sub = f"{NAMESPACE}_pressure"
        self.cpu = counter(f"{sub}_cpu_waiting_seconds_total",
                           "Total time in seconds that processes have waited for CPU time")
        self.io = counter(f"{sub}_io_waiting_seconds_total",
                          "Total time in seconds that processes have waited due to IO congestion")
        self.io_full = counter(f"{sub}_io_stalled_seconds_total",
                               "Total time in seconds no process could make progress due to IO congestion")
        self.mem = counter(f"{sub}_memory_waiting_seconds_total",
                           "Total time in seconds that processes have waited for memory")
        self.mem_full = counter(f"{sub}_memory_stalled_seconds_total",
                                "Total time in seconds no process could make progress due to memory "
                                "congestion")
        self.irq_full = counter(f"{sub}_irq_stalled_seconds_total",
                                "Total time in seconds no process could make progress due to IRQ congestion")

    def collect(self) -> Iterator[MetricFamily]:
        found = 0
        for resource in RESOURCES:
            try:
                text = read_text(self.roots.proc("pressure", resource))
            except FileNotFoundError:
                # No PSI (kernel < 4.20, or < 6.1 for irq, or CONFIG_PSI off): skip the resource.
                log.debug("pressure information is unavailable", extra={"resource": resource})
                continue
            except OSError as exc:
                if exc.errno == errno.EOPNOTSUPP:
                    raise NoDataError("pressure information is disabled, add psi=1 kernel command line "
                                      "to enable it") from None
                raise
            stats = parse_psi(text)
            # The kernel reports no "some" for irq and (before 5.13) no "full" for cpu.
            if stats.some is None and resource != "irq":
                raise NoDataError("pressure information returned no 'some' data")
            if stats.full is None and resource != "cpu":
                raise NoDataError("pressure information returned no 'full' data")
            # Each resource is sent before the next is read, as node_exporter does.
            if resource == "cpu":
                yield self.cpu.one(_seconds(stats.some.total))
            elif resource == "io":
                yield self.io.one(_seconds(stats.some.total))
                yield self.io_full.one(_seconds(stats.full.total))
            elif resource == "memory":
                yield self.mem.one(_seconds(stats.some.total))
                yield self.mem_full.one(_seconds(stats.full.total))
            else:
                yield self.irq_full.one(_seconds(stats.full.total))
            found += 1
        if found == 0:
            raise NoDataError("pressure information is unavailable, you need a Linux kernel >= 4.20 "
                              "and/or CONFIG_PSI enabled for your kernel")
