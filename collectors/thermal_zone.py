"""thermal_zone: /sys/class/thermal thermal zones and cooling devices."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from pyexporter.errors import NoDataError, ParseError, raise_if_parts_failed
from pyexporter.fs import link_loop_error, list_dir, resolve_dir
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import read_value, valid_utf8
from pyexporter.sysfs.thermal import parse_cooling, parse_zone

#: filepath.Glob patterns procfs uses: thermal_zone[0-9]* and cooling_device[0-9]*.
_ZONE = re.compile(r"thermal_zone[0-9]", re.DOTALL)
_COOLING = re.compile(r"cooling_device[0-9]", re.DOTALL)


@register
class ThermalZoneCollector(Collector):
    name = "thermal_zone"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.zone_temp = gauge(f"{NAMESPACE}_thermal_zone_temp", "Zone temperature in Celsius",
                               "zone", "type")
        self.cur_state = gauge(f"{NAMESPACE}_cooling_device_cur_state",
                               "Current throttle state of the cooling device", "name", "type")
        self.max_state = gauge(f"{NAMESPACE}_cooling_device_max_state",
                               "Maximum throttle state of the cooling device", "name", "type")

    def collect(self) -> Iterator[MetricFamily]:
        class_dir = self.roots.sys("class", "thermal")
        if not os.path.isdir(class_dir):
            raise NoDataError(f"{class_dir} does not exist")
        temps = self.zone_temp.family()
        cur, maximum = self.cur_state.family(), self.max_state.family()
        failures: list[str] = []
        for entry in list_dir(class_dir):
            is_zone, is_cooling = _ZONE.match(entry), _COOLING.match(entry)
            if not (is_zone or is_cooling):
                continue
            path = resolve_dir(os.path.join(class_dir, entry))
            if path is None:
                # A loop of links is broken input (node_exporter fails on it): reported, not hidden.
                loop = link_loop_error(os.path.join(class_dir, entry))
                if loop is not None:
                    failures.append(loop)
                continue
            try:
                if is_zone:
                    zone = parse_zone(
                        entry, *(read_value(os.path.join(path, a)) for a in ("type", "policy", "temp")))
                    if zone is not None:
                        temps.add(zone.temp / 1000.0, valid_utf8(zone.name), valid_utf8(zone.type))
                    continue
                device = parse_cooling(
                    entry, *(read_value(os.path.join(path, a)) for a in ("type", "max_state", "cur_state")))
            except ParseError as exc:
                # node_exporter fails the whole collector on a value that is not a number; here
                # one broken zone does not hide the others, and success is 0 all the same.
                failures.append(f"{entry}: {exc}")
                continue
            if device is not None:
                labels = (valid_utf8(device.name), valid_utf8(device.type))
                cur.add(device.cur_state, *labels)
                maximum.add(device.max_state, *labels)
        yield from (temps, cur, maximum)
        raise_if_parts_failed(failures)
