"""rapl: Intel/AMD RAPL energy counters from /sys/class/powercap."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from pyexporter.errors import NoDataError, ParseError, raise_if_parts_failed
from pyexporter.flags import BoolFlag
from pyexporter.fs import link_loop_error, list_dir
from pyexporter.metrics import COUNTER, NAMESPACE, Families, MetricFamily, counter, sanitize_metric_name
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import read_optional_uint, read_uint, read_value, valid_utf8
from pyexporter.sysfs.powercap import RaplZone, index_and_name

log = logging.getLogger(__name__)


# node_exporter's help text, copied from the systemd collector's, kept verbatim.
ZONE_LABEL = BoolFlag("collector.rapl.enable-zone-label",
                      "Enables service unit metric unit_start_time_seconds")


@register
class RaplCollector(Collector):
    name = "rapl"
    flags = (ZONE_LABEL,)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.zone_label = settings[ZONE_LABEL]
        self.joules = counter(f"{NAMESPACE}_rapl_joules_total", "Current RAPL value in joules",
                              "index", "path", "rapl_zone")

    def zones(self) -> tuple[list[RaplZone], list[str]]:
        """GetRaplZones: every entry with a readable `name` and `max_energy_range_uj`, and the entries
        that are loops of links (broken input, reported as failures)."""
        # The path label is the sysfs path as configured, cleaned like Go's filepath.Join.
        rapl_dir = os.path.normpath(self.roots.sys("class", "powercap"))
        if not os.path.isdir(rapl_dir):
            raise NoDataError(f"{rapl_dir} does not exist")
        counts: dict[str, int] = {}
        zones = []
        loops = []
        for entry in list_dir(rapl_dir):
            path = os.path.join(rapl_dir, entry)
            raw_name = read_value(os.path.join(path, "name"), None)
            if raw_name is None:
                loop = link_loop_error(path)
                if loop is not None:
                    loops.append(loop)
                continue
            index, name = index_and_name(counts, raw_name)
            if read_uint(os.path.join(path, "max_energy_range_uj")) is None:
                log.debug("rapl: skipping %s: no readable max_energy_range_uj", path)
                continue
            zones.append(RaplZone(name, index, path))
            counts[name] = index + 1
        return zones, loops

    def collect(self) -> Iterator[MetricFamily]:
        zones, failures = self.zones()
        families = Families()
        labelled = self.joules.family()
        readable = 0
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
            families.named(metric, f"Current RAPL {name} value in joules", COUNTER,
                           ("index", "path")).add(joules, index, path)
        if zones and not readable:
            raise NoDataError("no readable RAPL energy counter (energy_uj needs root)")
        if self.zone_label:
            yield labelled
        yield from families.values()
        raise_if_parts_failed(failures)
