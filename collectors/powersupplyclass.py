"""powersupplyclass: batteries and mains adapters from /sys/class/power_supply."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator, Mapping

from pyexporter.errors import NoDataError, raise_if_parts_failed
from pyexporter.flags import RegexFlag
from pyexporter.fs import link_loop_error, list_dir, resolve_dir
from pyexporter.metrics import GAUGE, NAMESPACE, Families, MetricFamily
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import int_or_none, read_value, valid_utf8

log = logging.getLogger(__name__)

#: (sysfs attribute, metric name, divisor) for the numeric attributes node_exporter exports.
#: Plain counts first, then micro-units (µA, µV, µWh, µAh, µW) and tenths of °C.
NUMERIC: tuple[tuple[str, str, float], ...] = (
    ("authentic", "authentic", 1.0),
    ("calibrate", "calibrate", 1.0),
    ("capacity", "capacity", 1.0),
    ("capacity_alert_max", "capacity_alert_max", 1.0),
    ("capacity_alert_min", "capacity_alert_min", 1.0),
    ("cycle_count", "cyclecount", 1.0),
    ("online", "online", 1.0),
    ("present", "present", 1.0),
    ("time_to_empty_now", "time_to_empty_seconds", 1.0),
    ("time_to_full_now", "time_to_full_seconds", 1.0),
    ("current_boot", "current_boot", 1e6),
    ("current_max", "current_max", 1e6),
    ("current_now", "current_ampere", 1e6),
    ("energy_empty", "energy_empty", 1e6),
    ("energy_empty_design", "energy_empty_design", 1e6),
    ("energy_full", "energy_full", 1e6),
    ("energy_full_design", "energy_full_design", 1e6),
    ("energy_now", "energy_watthour", 1e6),
    ("voltage_boot", "voltage_boot", 1e6),
    ("voltage_max", "voltage_max", 1e6),
    ("voltage_max_design", "voltage_max_design", 1e6),
    ("voltage_min", "voltage_min", 1e6),
    ("voltage_min_design", "voltage_min_design", 1e6),
    ("voltage_now", "voltage_volt", 1e6),
    ("voltage_ocv", "voltage_ocv", 1e6),
    ("charge_control_limit", "charge_control_limit", 1e6),
    ("charge_control_limit_max", "charge_control_limit_max", 1e6),
    ("charge_counter", "charge_counter", 1e6),
    ("charge_empty", "charge_empty", 1e6),
    ("charge_empty_design", "charge_empty_design", 1e6),
    ("charge_full", "charge_full", 1e6),
    ("charge_full_design", "charge_full_design", 1e6),
    ("charge_now", "charge_ampere", 1e6),
    ("charge_term_current", "charge_term_current", 1e6),
    ("constant_charge_current", "constant_charge_current", 1e6),
    ("constant_charge_current_max", "constant_charge_current_max", 1e6),
    ("constant_charge_voltage", "constant_charge_voltage", 1e6),
    ("constant_charge_voltage_max", "constant_charge_voltage_max", 1e6),
    ("precharge_current", "precharge_current", 1e6),
    ("input_current_limit", "input_current_limit", 1e6),
    ("power_now", "power_watt", 1e6),
    ("temp", "temp_celsius", 10.0),
    ("temp_alert_max", "temp_alert_max_celsius", 10.0),
    ("temp_alert_min", "temp_alert_min_celsius", 10.0),
    ("temp_ambient", "temp_ambient_celsius", 10.0),
    ("temp_ambient_max", "temp_ambient_max_celsius", 10.0),
    ("temp_ambient_min", "temp_ambient_min_celsius", 10.0),
    ("temp_max", "temp_max_celsius", 10.0),
    ("temp_min", "temp_min_celsius", 10.0),
)

#: (sysfs attribute, info label) for the text attributes.
TEXT: tuple[tuple[str, str], ...] = (
    ("capacity_level", "capacity_level"),
    ("charge_type", "charge_type"),
    ("health", "health"),
    ("manufacturer", "manufacturer"),
    ("model_name", "model_name"),
    ("serial_number", "serial_number"),
    ("status", "status"),
    ("technology", "technology"),
    ("type", "type"),
    ("usb_type", "usb_type"),
    ("scope", "scope"),
)


def numeric_values(values: Mapping[str, str]) -> list[tuple[str, float]]:
    """(metric name, value) for every numeric attribute present and parseable (Go base-0 int64)."""
    out = []
    for attr, metric, divisor in NUMERIC:
        number = int_or_none(values.get(attr), 0)
        if number is not None:
            out.append((metric, number if divisor == 1.0 else number / divisor))
    return out


def info_labels(supply: str, values: Mapping[str, str]) -> dict[str, str]:
    """The info metric's labels: the supply name and every non-empty text attribute."""
    labels = {"power_supply": valid_utf8(supply)}
    for attr, label in TEXT:
        value = values.get(attr, "")
        if value:
            labels[label] = valid_utf8(value)
    return labels


IGNORED_SUPPLIES = RegexFlag("collector.powersupply.ignored-supplies",
                             "Regexp of power supplies to ignore for powersupplyclass collector.", "^$")


@register
class PowerSupplyClassCollector(Collector):
    name = "powersupplyclass"
    flags = (IGNORED_SUPPLIES,)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.ignored = settings[IGNORED_SUPPLIES] or re.compile("")
        self.prefix = f"{NAMESPACE}_power_supply_"
        self.attrs = tuple({a for a, _, _ in NUMERIC} | {a for a, _ in TEXT})

    def collect(self) -> Iterator[MetricFamily]:
        class_dir = self.roots.sys("class", "power_supply")
        if not os.path.isdir(class_dir):
            raise NoDataError(f"{class_dir} does not exist")
        families = Families()
        info = MetricFamily(self.prefix + "info", "info of /sys/class/power_supply/<power_supply>.", GAUGE)
        failures: list[str] = []
        for supply in list_dir(class_dir):
            if self.ignored.search(supply):
                continue
            path = resolve_dir(os.path.join(class_dir, supply))
            if path is None:
                # A loop of links is broken input (node_exporter fails on it): reported, not hidden.
                loop = link_loop_error(os.path.join(class_dir, supply))
                if loop is not None:
                    failures.append(loop)
                continue
            values = {}
            for attr in self.attrs:
                value = read_value(os.path.join(path, attr))
                if value is not None:
                    values[attr] = value
            label = valid_utf8(supply)
            for metric, value in numeric_values(values):
                help_text = f"{metric} value of /sys/class/power_supply/<power_supply>."
                families.named(self.prefix + metric, help_text, GAUGE, ("power_supply",)).add(value, label)
            info.add_sample(info.name, info_labels(supply, values), 1.0)
        yield info
        yield from families.values()
        raise_if_parts_failed(failures)
