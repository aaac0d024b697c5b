"""rapl: Intel/AMD RAPL energy counters from /sys/class/powercap."""

from __future__ import annotations

import logging
import os

from pyexporter.errors import NoDataError, ParseError, raise_if_parts_failed
from pyexporter.fs import list_dir
from pyexporter.metrics import COUNTER, NAMESPACE, MetricFamily, counter, sanitize_metric_name
from pyexporter.registry import Collector, Flag, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import read_optional_uint, read_uint, read_value, valid_utf8
from pyexporter.sysfs.powercap import RaplZone, index_and_name

log = logging.getLogger(__name__)


@register
class RaplCollector(Collector):
    name = "rapl"
    flags = (
        Flag("collector.rapl.enable-zone-label", "Enables service unit metric unit_start_time_seconds",
             False, "bool"),
    )

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.zone_label = bool(self.flag("collector.rapl.enable-zone-label"))
        self.joules = counter(f"{NAMESPACE}_rapl_joules_total", "Current RAPL value in joules",
                              "index", "path", "rapl_zone")

    def zones(self) -> list[RaplZone]:
        """GetRaplZones: every entry with a readable `name` and `max_energy_range_uj`."""
        # The path label is the sysfs path as configured, cleaned like Go's filepath.Join.
        rapl_dir = os.path.normpath(self.roots.sys("class", "powercap"))
        if not os.path.isdir(rapl_dir):
            raise NoDataError(f"{rapl_dir} does not exist")
        counts: dict[str, int] = {}
        zones = []
        for entry in list_dir(rapl_dir):
            path = os.path.join(rapl_dir, entry)
            raw_name = read_value(os.path.join(path, "name"), None)
            if raw_name is None:
                continue
            index, name = index_and_name(counts, raw_name)
            if read_uint(os.path.join(path, "max_energy_range_uj")) is None:
                log.debug("rapl: skipping %s: no readable max_energy_range_uj", path)
                continue
            zones.append(RaplZone(name, index, path))
            counts[name] = index + 1
        return zones

    def collect(self) -> list[MetricFamily]:
        zones = self.zones()
        families: dict[str, MetricFamily] = {}
        labelled = self.joules.family()
        readable = 0
        failures: list[str] = []
        for zone in zones:
            try:
                micro_joules = read_optional_uint(os.path.join(zone.path, "energy_uj"))
            except ParseError as exc:
                # node_exporter fails the collector here (success 0); the other zones are kept.
                readable += 1
                failures.append(str(exc))
                continue
            if micro_joules is None:
                # energy_uj is root-only since Linux 5.10.
                log.debug("rapl: cannot read %s/energy_uj", zone.path)
                continue
            readable += 1
            joules = micro_joules / 1000000.0
            index, path, name = str(zone.index), valid_utf8(zone.path), valid_utf8(zone.name)
            if self.zone_label:
                labelled.add(joules, index, path, name)
                continue
            metric = f"{NAMESPACE}_rapl_{sanitize_metric_name(name)}_joules_total"
            family = families.get(metric)
            if family is None:
                family = families[metric] = MetricFamily(
                    metric, f"Current RAPL {name} value in joules", COUNTER, ("index", "path"))
            family.add(joules, index, path)
        if zones and not readable:
            raise NoDataError("no readable RAPL energy counter (energy_uj needs root)")
        return raise_if_parts_failed(
            failures, [labelled, *families.values()] if self.zone_label else list(families.values()))
