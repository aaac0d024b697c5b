"""time: the system clock, the local time zone's offset, and the kernel's clocksources."""

from __future__ import annotations

import time
from collections.abc import Iterator

from pyexporter.errors import ParseError
from pyexporter.fs import list_dir
from pyexporter.golang.strings import go_fields
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import read_value, valid_utf8


def _read_clocksource_attr(path: str) -> str:
    """util.SysReadFile, as label text; a missing attribute fails the collector."""
    value = read_value(path)
    if value is None:
        raise ParseError(f"{path}: missing or unreadable")
    return valid_utf8(value)


@register
class TimeCollector(Collector):
    name = "time"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.now = gauge(f"{NAMESPACE}_time_seconds", "System time in seconds since epoch (1970).")
        self.zone = gauge(f"{NAMESPACE}_time_zone_offset_seconds", "System time zone offset in seconds.",
                          "time_zone")
        self.available = gauge(f"{NAMESPACE}_time_clocksource_available_info",
                               "Available clocksources read from '/sys/devices/system/clocksource'.",
                               "device", "clocksource")
        self.current = gauge(f"{NAMESPACE}_time_clocksource_current_info",
                             "Current clocksource read from '/sys/devices/system/clocksource'.",
                             "device", "clocksource")
        self.clocksource_dir = self.roots.sys("devices", "system", "clocksource")

    def collect(self) -> Iterator[MetricFamily]:
        now_ns = time.time_ns()
        local = time.localtime(now_ns // 1_000_000_000)
        yield self.now.one(now_ns / 1e9)
        yield self.zone.one(local.tm_gmtoff, local.tm_zone)
        # The clock sources are all read before any is sent, as node_exporter's sysfs.ClockSources().
        available = self.available.family()
        current = self.current.family()
        names = [n for n in list_dir(self.clocksource_dir)
                 if n.startswith("clocksource") and n[11:12].isascii() and n[11:12].isdigit()]
        # The device label is the position in the sorted listing, as node_exporter numbers it.
        for index, name in enumerate(names):
            base = f"{self.clocksource_dir}/{name}"
            sources = go_fields(_read_clocksource_attr(f"{base}/available_clocksource"))
            chosen = _read_clocksource_attr(f"{base}/current_clocksource")
            for source in sources:
                available.add(1.0, str(index), source)
            current.add(1.0, str(index), chosen)
        yield from (available, current)
