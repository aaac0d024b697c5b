"""watchdog: hardware and software watchdogs from /sys/class/watchdog."""

from __future__ import annotations

import os
from collections.abc import Iterator

from pyexporter.errors import NoDataError, raise_if_parts_failed
from pyexporter.fs import link_loop_error, list_dir, read_link, resolve_dir
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import read_value, valid_utf8
from pyexporter.sysfs.watchdog import TEXT_ATTRS, Watchdog, parse_watchdog

#: (attribute, metric suffix) of the numeric attributes, in node_exporter's order.
NUMERIC = (
    ("bootstatus", "bootstatus"),
    ("fw_version", "fw_version"),
    ("nowayout", "nowayout"),
    ("timeleft", "timeleft_seconds"),
    ("timeout", "timeout_seconds"),
    ("pretimeout", "pretimeout_seconds"),
    ("access_cs0", "access_cs0"),
)
#: The info metric's labels after name, in node_exporter's order.
TEXT = TEXT_ATTRS


@register
class WatchdogCollector(Collector):
    name = "watchdog"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        prefix = f"{NAMESPACE}_watchdog_"
        self.numeric = tuple(
            (attr, gauge(prefix + suffix, f"Value of /sys/class/watchdog/<watchdog>/{attr}", "name"))
            for attr, suffix in NUMERIC
        )
        self.info = gauge(prefix + "info", "Info of /sys/class/watchdog/<watchdog>",
                          "name", "options", "identity", "state", "status", "pretimeout_governor")

    def read(self, class_dir: str, name: str) -> Watchdog | None:
        entry = os.path.join(class_dir, name)
        path = resolve_dir(entry)
        values: dict[str, str] = {}
        if path is None:
            # node_exporter reads through the entry and treats missing files as absent,
            # so a dangling link still yields an (empty) info series; a plain file does not.
            if read_link(entry) is None:
                return None
        else:
            for attr in (*TEXT, *(a for a, _ in NUMERIC)):
                value = read_value(os.path.join(path, attr))
                if value is not None:
                    values[attr] = value
        return parse_watchdog(name, values)

    def collect(self) -> Iterator[MetricFamily]:
        class_dir = self.roots.sys("class", "watchdog")
        if not os.path.isdir(class_dir):
            raise NoDataError(f"{class_dir} does not exist")
        families = [(attr, desc.family()) for attr, desc in self.numeric]
        info = self.info.family()
        failures: list[str] = []
        for name in list_dir(class_dir):
            # A loop of links is broken input (node_exporter fails on it): reported, not hidden.
            loop = link_loop_error(os.path.join(class_dir, name))
            if loop is not None:
                failures.append(loop)
                continue
            wd = self.read(class_dir, name)
            if wd is None:
                continue
            label = valid_utf8(wd.name)
            for attr, family in families:
                if attr in wd.numbers:
                    family.add(wd.numbers[attr], label)
            info.add(1.0, label, *(valid_utf8(wd.text.get(attr, "")) for attr in TEXT))
        yield from (info, *(family for _, family in families))
        raise_if_parts_failed(failures)
