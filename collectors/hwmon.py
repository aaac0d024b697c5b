"""hwmon: hardware sensors from /sys/class/hwmon (as lm-sensors sees them).

Chip labels are derived as node_exporter 1.12.1 derives them: from the
`device` link (`<bus>_<device>`, e.g. platform_coretemp_0), else from the
`name` file, else from the hwmonX directory; chips whose labels collide
(several hwmon nodes under one device) get the `name` file, or the hwmonX
name when that does not tell them apart, appended.
"""

from __future__ import annotations

import logging
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from pyexporter.errors import NoDataError, raise_if_parts_failed
from pyexporter.filters import DeviceFilter
from pyexporter.flags import RegexFlag
from pyexporter.fs import link_loop_error, list_dir, read_sysfs_bytes, real_path, resolve_dir
from pyexporter.metrics import COUNTER, GAUGE, Families, MetricFamily
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import SYSREAD_BYTES, decode, float_or_none, valid_utf8

log = logging.getLogger(__name__)

SENSOR_TYPES = frozenset({
    "vrm", "beep_enable", "update_interval", "in", "cpu", "fan", "pwm", "temp", "curr", "power", "energy",
    "humidity", "intrusion", "freq",
})
_FILENAME = re.compile(r"^(?P<type>[^0-9]+)(?P<id>[0-9]*)?(_(?P<property>.+))?$", re.DOTALL)
_INVALID_METRIC_CHARS = re.compile("[^a-z0-9:_]")
#: Go's strconv.Atoi range on 64-bit platforms.
_MAX_ATOI = 1 << 63

CHIP_SENSOR = ("chip", "sensor")

#: One sample to emit: (metric name, HELP, TYPE, labels, value).
Sample = tuple[str, str, str, tuple[tuple[str, str], ...], float]


def clean_metric_name(name: str) -> str:
    """node_exporter's cleanMetricName: lower case, invalid characters to '_', '_' trimmed."""
    return _INVALID_METRIC_CHARS.sub("_", name.lower()).strip("_")


def explode_sensor_filename(filename: str) -> tuple[str, int, str] | None:
    """`temp1_input` -> ("temp", 1, "input"); None when the name does not look like a sensor file."""
    match = _FILENAME.match(filename)
    if match is None:
        return None
    number = 0
    digits = match.group("id") or ""
    if digits:
        # Over 19 significant digits is beyond Atoi's range; checked before int(),
        # which refuses 4300+ digits with a ValueError.
        significant = digits.lstrip("0") or "0"
        if len(significant) > 19:
            return None
        number = int(significant)
        if number >= _MAX_ATOI:
            return None
    return match.group("type"), number, match.group("property") or ""


def sensor_value(data: bytes) -> str:
    """What node_exporter's sysReadFile + strings.Trim(raw, "\\n") keep of a sensor file."""
    return decode(data[:SYSREAD_BYTES]).strip("\n")


def add_sensor_files(
    data: dict[str, dict[str, str]], names: Iterable[str], values: Mapping[str, str]
) -> None:
    """collectSensorData: group readable sensor files by sensor (`temp1`) and property (`input`)."""
    for filename in names:
        parts = explode_sensor_filename(filename)
        if parts is None or parts[0] not in SENSOR_TYPES or filename not in values:
            continue
        sensor_type, number, prop = parts
        data.setdefault(f"{sensor_type}{number}", {})[prop] = values[filename]


def sensor_samples(chip: str, sensor: str, props: Mapping[str, str]) -> list[Sample]:
    """The samples node_exporter's updateHwmon emits for one sensor of one chip."""
    parts = explode_sensor_filename(sensor)
    sensor_type = parts[0] if parts else ""
    labels = (("chip", chip), ("sensor", sensor))
    out: list[Sample] = []
    if "label" in props:
        out.append(("node_hwmon_sensor_label", "Label for given chip and sensor", GAUGE,
                    (("chip", chip), ("label", valid_utf8(props["label"])), ("sensor", sensor)), 1.0))
    if sensor_type == "beep_enable":
        value = 1.0 if props.get("") == "1" else 0.0
        return [*out, ("node_hwmon_beep_enabled", "Hardware beep enabled", GAUGE, labels, value)]
    if sensor_type in ("vrm", "update_interval"):
        parsed = float_or_none(props.get(""))
        if parsed is None:
            return out
        if sensor_type == "vrm":
            return [*out, ("node_hwmon_voltage_regulator_version", "Hardware voltage regulator", GAUGE,
                           labels, parsed)]
        return [*out, ("node_hwmon_update_interval_seconds", "Hardware monitor update interval", GAUGE,
                       labels, parsed * 0.001)]

    prefix = "node_hwmon_" + sensor_type
    for element, raw in props.items():
        if element == "label":
            continue
        name = prefix
        if element == "input":
            # input is the value itself, unless a bare `temp1` file holds it.
            if "" in props:
                name += "_input"
        elif element:
            name += "_" + clean_metric_name(element)
        value = float_or_none(raw)
        if value is None:
            continue
        if element in ("fault", "alarm"):
            out.append((name, f"Hardware sensor {element} status ({sensor_type})", GAUGE, labels, value))
        elif element == "beep":
            out.append((name + "_enabled", "Hardware monitor sensor has beeping enabled", GAUGE, labels,
                        value))
        elif sensor_type in ("in", "cpu"):
            out.append((name + "_volts", f"Hardware monitor for voltage ({element})", GAUGE, labels,
                        value * 0.001))
        elif sensor_type == "temp" and element != "type":
            shown = element or "input"
            out.append((name + "_celsius", f"Hardware monitor for temperature ({shown})", GAUGE, labels,
                        value * 0.001))
        elif sensor_type == "curr":
            out.append((name + "_amps", f"Hardware monitor for current ({element})", GAUGE, labels,
                        value * 0.001))
        elif sensor_type == "energy":
            out.append((name + "_joule_total", f"Hardware monitor for joules used so far ({element})",
                        COUNTER, labels, value / 1000000.0))
        elif sensor_type == "power" and element == "accuracy":
            out.append((name, "Hardware monitor power meter accuracy, as a ratio", GAUGE, labels,
                        value / 1000000.0))
        elif sensor_type == "power" and element in ("average_interval", "average_interval_min",
                                                     "average_interval_max"):
            out.append((name + "_seconds", f"Hardware monitor power usage update interval ({element})", GAUGE,
                        labels, value * 0.001))
        elif sensor_type == "power":
            out.append((name + "_watt", f"Hardware monitor for power usage in watts ({element})", GAUGE,
                        labels, value / 1000000.0))
        elif sensor_type == "humidity":
            out.append((name, "Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the "
                        f"humidity as a percentage) ({element})", GAUGE, labels, value / 1000000.0))
        elif sensor_type == "fan" and element in ("input", "min", "max", "target"):
            out.append((name + "_rpm", f"Hardware monitor for fan revolutions per minute ({element})", GAUGE,
                        labels, value))
        elif sensor_type == "freq" and element == "input":
            # GPU clocks are labelled by their label (sclk, mclk), not by freqN.
            if "label" in props:
                out.append((name + "_freq_mhz", "Hardware monitor for GPU frequency in MHz", GAUGE,
                            (("chip", chip), ("sensor", clean_metric_name(props["label"]))),
                            value / 1000000.0))
        else:
            out.append((name, f"Hardware monitor {sensor_type} element {element}", GAUGE, labels, value))
    return out


@dataclass(slots=True)
class Chip:
    """One /sys/class/hwmon entry: where to read it and the names derived for it."""

    path: str
    base: str
    human: str | None
    real_name: str
    label: str = ""


def disambiguate(chips: list[Chip]) -> None:
    """Give every chip its label: the base name, suffixed where bases collide (node_exporter 1.12)."""
    counts = Counter(chip.base for chip in chips)
    for chip in chips:
        if counts[chip.base] == 1:
            chip.label = chip.base
            continue
        same_base = [c for c in chips if c.base == chip.base]
        if chip.human and sum(1 for c in same_base if c.human == chip.human) == 1:
            chip.label = f"{chip.base}_{chip.human}"
        else:
            chip.label = f"{chip.base}_{chip.real_name}"


class ChipError(Exception):
    """One chip could not be read; the others still are."""


CHIP_INCLUDE = RegexFlag("collector.hwmon.chip-include",
                         "Regexp of hwmon chip to include (mutually exclusive to device-exclude).")
CHIP_EXCLUDE = RegexFlag("collector.hwmon.chip-exclude",
                         "Regexp of hwmon chip to exclude (mutually exclusive to device-include).")
SENSOR_INCLUDE = RegexFlag("collector.hwmon.sensor-include",
                           "Regexp of hwmon sensor to include (mutually exclusive to sensor-exclude).")
SENSOR_EXCLUDE = RegexFlag("collector.hwmon.sensor-exclude",
                           "Regexp of hwmon sensor to exclude (mutually exclusive to sensor-include).")


@register
class HwmonCollector(Collector):
    name = "hwmon"
    flags = (CHIP_INCLUDE, CHIP_EXCLUDE, SENSOR_INCLUDE, SENSOR_EXCLUDE)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.chip_filter = DeviceFilter(settings[CHIP_EXCLUDE], settings[CHIP_INCLUDE])
        self.sensor_filter = DeviceFilter(settings[SENSOR_EXCLUDE], settings[SENSOR_INCLUDE])

    @staticmethod
    def _name_file(path: str) -> str | None:
        data = read_sysfs_bytes(os.path.join(path, "name"))
        if data is None or not data:
            return None
        return clean_metric_name(decode(data)) or None

    def _chip(self, path: str) -> Chip | None:
        real = real_path(path)
        if real is None:
            return None
        human = self._name_file(path)
        base = ""
        device = real_path(os.path.join(path, "device"))
        if device is not None:
            dev_type = os.path.basename(os.path.dirname(device).rstrip("/"))
            dev_name = clean_metric_name(os.path.basename(device))
            dev_type = clean_metric_name(dev_type)
            if dev_type and dev_name:
                base = f"{dev_type}_{dev_name}"
            elif dev_name:
                base = dev_name
        base = base or human or clean_metric_name(os.path.basename(real))
        if not base:
            raise ChipError(f"could not derive a monitoring name for {path}")
        return Chip(path, base, human, clean_metric_name(os.path.basename(real)))

    def _sensor_data(self, chip: Chip) -> dict[str, dict[str, str]]:
        data: dict[str, dict[str, str]] = {}
        dirs = [chip.path]
        device = os.path.join(chip.path, "device")
        if os.path.lexists(device):
            device_dir = resolve_dir(device)
            if device_dir is None:
                if real_path(device) is not None:
                    raise ChipError(f"{device} is not a directory")
            else:
                dirs.append(device_dir)
        for directory in dirs:
            try:
                names = list_dir(directory)
            except OSError as exc:
                raise ChipError(f"{directory}: {exc.strerror or exc}") from None
            values = {}
            for filename in names:
                parts = explode_sensor_filename(filename)
                if parts is None or parts[0] not in SENSOR_TYPES:
                    continue
                raw = read_sysfs_bytes(os.path.join(directory, filename))
                if raw is not None:
                    values[filename] = sensor_value(raw)
            add_sensor_files(data, names, values)
        return data

    def collect(self) -> Iterator[MetricFamily]:
        class_dir = self.roots.sys("class", "hwmon")
        if not os.path.isdir(class_dir):
            raise NoDataError(f"{class_dir} does not exist")
        chips = []
        # node_exporter goes on past a chip that fails and reports the last failure after the
        # other chips' metrics: success 0, with those metrics served.
        failures: list[str] = []
        for entry in list_dir(class_dir):
            path = resolve_dir(os.path.join(class_dir, entry))
            if path is None:
                # A dangling link is skipped as node_exporter skips it; a loop of links is broken
                # input (node_exporter fails on it): reported, not hidden.
                loop = link_loop_error(os.path.join(class_dir, entry))
                if loop is not None:
                    failures.append(loop)
                continue
            try:
                chip = self._chip(path)
            except ChipError as exc:
                failures.append(str(exc))
                continue
            if chip is not None:
                chips.append(chip)
        disambiguate(chips)

        families = Families()
        for chip in chips:
            if self.chip_filter.ignored(chip.label):
                log.debug("hwmon: ignoring chip %s", chip.label)
                continue
            try:
                data = self._sensor_data(chip)
            except ChipError as exc:
                failures.append(f"chip {chip.label}: {exc}")
                continue
            if chip.human is not None:
                families.named("node_hwmon_chip_names", "Annotation metric for human-readable chip names",
                               GAUGE).add_sample("node_hwmon_chip_names",
                                                 (("chip", chip.label), ("chip_name", chip.human)), 1.0)
            for sensor, props in data.items():
                # Filtering works on "<chip>;<sensor>" so one sensor of one chip can be picked.
                if self.sensor_filter.ignored(f"{chip.label};{sensor}"):
                    continue
                for name, help_text, kind, labels, value in sensor_samples(chip.label, sensor, props):
                    families.named(name, help_text, kind).add_sample(name, labels, value)
        yield from families.values()
        raise_if_parts_failed(failures)
