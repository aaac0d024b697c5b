"""systemd: unit states and a few unit properties from systemd's D-Bus API.

As node_exporter 1.12.1: one connection per scrape (the system bus, or with
--collector.systemd.private systemd's own socket), the manager's Version and
Virtualization, ListUnits (a summary of all units by active state), then the
per-unit properties of the units that pass the include/exclude patterns and
are loaded. A property that cannot be read is skipped (logged at debug);
ListUnits or SystemState failing fails the collector, with what was collected
before still exposed, as node_exporter does.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pyexporter.dbus import (
    SYSTEMD_PRIVATE_ADDRESS,
    Connection,
    DBusCollector,
    DBusError,
    go_variant_string,
    property_value,
)
from pyexporter.errors import CollectorError, ParseError
from pyexporter.flags import BoolFlag, DeprecatedAlias, RegexFlag, SetWhen
from pyexporter.metrics import NAMESPACE, MetricFamily, build_name, counter, gauge
from pyexporter.registry import register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)

SYSTEMD_BUS_NAME = "org.freedesktop.systemd1"
SYSTEMD_PATH = "/org/freedesktop/systemd1"
MANAGER_INTERFACE = "org.freedesktop.systemd1.Manager"
UNIT_PATH_PREFIX = "/org/freedesktop/systemd1/unit/"

#: The first systemd with the manager's SystemState and the timers' LastTriggerUSec.
MIN_SYSTEMD_VERSION_SYSTEM_STATE = 212
UNIT_STATES = ("active", "activating", "deactivating", "inactive", "failed")
UINT64_MAX = (1 << 64) - 1

DEFAULT_UNIT_INCLUDE = ".+"
DEFAULT_UNIT_EXCLUDE = r".+\.(automount|device|mount|scope|slice)"

_VERSION_RE = re.compile(r"[0-9]{3,}(\.[0-9]+)?")
_ALNUM = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


@dataclass(frozen=True, slots=True)
class UnitStatus:
    """One entry of ListUnits, as go-systemd's UnitStatus."""

    name: str
    description: str
    load_state: str
    active_state: str
    sub_state: str
    followed: str
    path: str
    job_id: int
    job_type: str
    job_path: str


_UNIT_FIELD_TYPES = (str, str, str, str, str, str, str, int, str, str)


def parse_list_units(body: tuple[Any, ...]) -> list[UnitStatus]:
    """The body of Manager.ListUnits (`a(ssssssouso)`) as UnitStatus records."""
    if len(body) != 1 or not isinstance(body[0], list):
        raise ParseError(f"ListUnits reply is not one array: {body!r:.80}")
    units = []
    for entry in body[0]:
        if not isinstance(entry, tuple) or len(entry) != len(_UNIT_FIELD_TYPES):
            raise ParseError(f"ListUnits entry is not a 10-field struct: {entry!r:.80}")
        for value, kind in zip(entry, _UNIT_FIELD_TYPES, strict=True):
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ParseError(f"ListUnits entry has a field of the wrong type: {entry!r:.80}")
        if not 0 <= entry[7] <= 0xFFFFFFFF:
            raise ParseError(f"ListUnits job id out of range: {entry[7]}")
        units.append(UnitStatus(*entry))
    return units


def parse_systemd_version(formatted: str) -> tuple[float, str]:
    """The manager's Version (godbus-formatted, so quoted) as (number, label).

    One quote is trimmed from each end for the label; the number is the first
    run of three or more digits with an optional fraction ("252.22" of
    "252.22-1~deb12u1"). Without one, node_exporter reports (0, "").
    """
    version = formatted.removesuffix('"').removeprefix('"')
    match = _VERSION_RE.search(version)
    if match is None:
        return 0.0, ""
    try:
        return float(match.group(0)), version
    except ValueError:  # pragma: no cover - the regex only matches decimal numbers
        return 0.0, ""


def virtualization_type(formatted: str) -> str:
    """The manager's Virtualization (godbus-formatted) as the label value; empty means bare metal."""
    return formatted.strip('"') or "none"


def summarize_units(units: list[UnitStatus]) -> dict[str, float]:
    """Units per active state: the five known states always, others as they occur."""
    summary = dict.fromkeys(UNIT_STATES, 0.0)
    for unit in units:
        summary[unit.active_state] = summary.get(unit.active_state, 0.0) + 1.0
    return summary


def unit_path(name: str) -> str:
    """go-systemd's object path of a unit: PathBusEscape, which writes `_` and the
    byte in lower-case hex without zero padding (`_2e` for '.', `_a` for a newline)."""
    raw = name.encode("utf-8", "surrogatepass")
    if not raw:
        return UNIT_PATH_PREFIX + "_"
    out = []
    for i, byte in enumerate(raw):
        if byte in _ALNUM and not (i == 0 and 0x30 <= byte <= 0x39):
            out.append(chr(byte))
        else:
            out.append(f"_{byte:x}")
    return UNIT_PATH_PREFIX + "".join(out)


UNIT_INCLUDE = RegexFlag(
    "collector.systemd.unit-include",
    "Regexp of systemd units to include. Units must both match include and not match exclude to be included.",
    DEFAULT_UNIT_INCLUDE, alias=DeprecatedAlias("collector.systemd.unit-whitelist", SetWhen.GIVEN))
UNIT_EXCLUDE = RegexFlag(
    "collector.systemd.unit-exclude",
    "Regexp of systemd units to exclude. Units must both match include and not match exclude to be included.",
    DEFAULT_UNIT_EXCLUDE, alias=DeprecatedAlias("collector.systemd.unit-blacklist", SetWhen.GIVEN))
PRIVATE = BoolFlag("collector.systemd.private",
                   "Establish a private, direct connection to systemd without dbus (Strongly discouraged "
                   "since it requires root. For testing purposes only).", hidden=True)
TASK_METRICS = BoolFlag("collector.systemd.enable-task-metrics",
                        "Enables service unit tasks metrics unit_tasks_current and unit_tasks_max")
RESTARTS_METRICS = BoolFlag("collector.systemd.enable-restarts-metrics",
                            "Enables service unit metric service_restart_total")
START_TIME_METRICS = BoolFlag("collector.systemd.enable-start-time-metrics",
                              "Enables service unit metric unit_start_time_seconds")


@register
class SystemdCollector(DBusCollector):
    name = "systemd"
    default_enabled = False
    flags = (UNIT_INCLUDE, UNIT_EXCLUDE, PRIVATE, TASK_METRICS, RESTARTS_METRICS, START_TIME_METRICS)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        exclude = settings[UNIT_EXCLUDE] or re.compile("")
        include = settings[UNIT_INCLUDE] or re.compile("")
        log.info("Parsed flag --collector.systemd.unit-include", extra={"flag": include.pattern})
        log.info("Parsed flag --collector.systemd.unit-exclude", extra={"flag": exclude.pattern})
        # node_exporter anchors both as ^(?:...)$: they are used with fullmatch.
        self.include, self.exclude = include, exclude
        self.private = settings[PRIVATE]
        self.task_metrics = settings[TASK_METRICS]
        self.restarts_metrics = settings[RESTARTS_METRICS]
        self.start_time_metrics = settings[START_TIME_METRICS]
        #: Where --collector.systemd.private connects; tests point it at their own socket.
        self.private_address = SYSTEMD_PRIVATE_ADDRESS

        def name(metric: str) -> str:
            return build_name(NAMESPACE, "systemd", metric)

        self.unit_desc = gauge(name("unit_state"), "Systemd unit", "name", "state", "type")
        self.start_time_desc = gauge(name("unit_start_time_seconds"),
                                     "Start time of the unit since unix epoch in seconds.", "name")
        self.tasks_current_desc = gauge(name("unit_tasks_current"),
                                        "Current number of tasks per Systemd unit", "name")
        self.tasks_max_desc = gauge(name("unit_tasks_max"), "Maximum number of tasks per Systemd unit",
                                    "name")
        self.system_running_desc = gauge(
            name("system_running"), "Whether the system is operational (see 'systemctl is-system-running')")
        self.summary_desc = gauge(name("units"), "Summary of systemd unit states", "state")
        self.restarts_desc = counter(name("service_restart_total"), "Service unit count of Restart triggers",
                                     "name")
        self.timer_desc = gauge(name("timer_last_trigger_seconds"), "Seconds since epoch of last trigger.",
                                "name")
        self.accepted_desc = counter(name("socket_accepted_connections_total"),
                                     "Total number of accepted socket connections", "name")
        self.current_desc = gauge(name("socket_current_connections"), "Current number of socket connections",
                                  "name")
        # A gauge in node_exporter despite the _total suffix.
        self.refused_desc = gauge(name("socket_refused_connections_total"),
                                  "Total number of refused socket connections", "name")
        self.version_desc = gauge(name("version"), "Detected systemd version", "version")
        self.virtualization_desc = gauge(name("virtualization_info"), "Detected virtualization technology",
                                         "virtualization_type")

    def collect(self) -> Iterator[MetricFamily]:
        with self.connect(self.private_address if self.private else None) as conn:
            yield from self._collect(conn)

    def _manager_property(self, conn: Connection, name: str) -> str:
        return go_variant_string(conn.get_property(SYSTEMD_BUS_NAME, SYSTEMD_PATH, MANAGER_INTERFACE, name))

    def _unit_property(self, conn: Connection, unit: str, interface: str, name: str, signature: str) -> Any:
        """A property of a unit, or None (logged) when it cannot be read."""
        try:
            body = conn.get_property(SYSTEMD_BUS_NAME, unit_path(unit),
                                     f"org.freedesktop.systemd1.{interface}", name)
            return property_value(body, signature)
        except (DBusError, ParseError) as exc:
            log.debug("couldn't get unit %s", name, extra={"unit": unit, "err": str(exc)})
            return None

    def _add_seconds(self, family: MetricFamily, conn: Connection, unit: UnitStatus, interface: str,
                     name: str) -> None:
        """A unit's time property (microseconds since the epoch) as seconds, where it can be read."""
        usec = self._unit_property(conn, unit.name, interface, name, "t")
        if usec is not None:
            family.add(usec / 1e6, unit.name)

    def _collect(self, conn: Connection) -> Iterator[MetricFamily]:
        try:
            version, version_label = parse_systemd_version(self._manager_property(conn, "Version"))
        except (DBusError, ParseError) as exc:
            log.debug("Unable to get systemd version property, defaulting to 0", extra={"err": str(exc)})
            version, version_label = 0.0, ""
        yield self.version_desc.one(version, version_label)
        try:
            virtualization = virtualization_type(self._manager_property(conn, "Virtualization"))
        except (DBusError, ParseError) as exc:
            log.debug("Could not get Virtualization property", extra={"err": str(exc)})
            virtualization = "unknown"
        yield self.virtualization_desc.one(1.0, virtualization)

        try:
            all_units = parse_list_units(conn.call(SYSTEMD_PATH, MANAGER_INTERFACE, "ListUnits",
                                                   destination=SYSTEMD_BUS_NAME))
        except (DBusError, ParseError) as exc:
            raise CollectorError(f"couldn't get units: {exc}") from None

        summary = self.summary_desc.family()
        for state, units in summarize_units(all_units).items():
            summary.add(units, state)
        yield summary

        units = [u for u in all_units
                 if self.include.fullmatch(u.name) and not self.exclude.fullmatch(u.name)
                 and u.load_state == "loaded"]
        yield from self._unit_states(conn, units)
        if self.start_time_metrics:
            yield self._start_times(conn, units)
        if self.task_metrics:
            yield from self._tasks(conn, units)
        if version >= MIN_SYSTEMD_VERSION_SYSTEM_STATE:
            yield self._timers(conn, units)
        yield from self._sockets(conn, units)
        if version >= MIN_SYSTEMD_VERSION_SYSTEM_STATE:
            try:
                state = self._manager_property(conn, "SystemState")
            except (DBusError, ParseError) as exc:
                raise CollectorError(f"couldn't get system state: {exc}") from None
            yield self.system_running_desc.one(1.0 if state == '"running"' else 0.0)

    def _unit_states(self, conn: Connection, units: list[UnitStatus]) -> list[MetricFamily]:
        states = self.unit_desc.family()
        restarts = self.restarts_desc.family()
        for unit in units:
            unit_type = None
            if unit.name.endswith(".service"):
                unit_type = self._unit_property(conn, unit.name, "Service", "Type", "s")
            elif unit.name.endswith(".mount"):
                unit_type = self._unit_property(conn, unit.name, "Mount", "Type", "s")
            for state in UNIT_STATES:
                states.add(1.0 if state == unit.active_state else 0.0, unit.name, state, unit_type or "")
            if self.restarts_metrics and unit.name.endswith(".service"):
                # NRestarts exists from systemd 235 on.
                count = self._unit_property(conn, unit.name, "Service", "NRestarts", "u")
                if count is not None:
                    restarts.add(count, unit.name)
        return [states, restarts]

    def _start_times(self, conn: Connection, units: list[UnitStatus]) -> MetricFamily:
        family = self.start_time_desc.family()
        for unit in units:
            if unit.active_state != "active":
                family.add(0.0, unit.name)
                continue
            self._add_seconds(family, conn, unit, "Unit", "ActiveEnterTimestamp")
        return family

    def _tasks(self, conn: Connection, units: list[UnitStatus]) -> list[MetricFamily]:
        current = self.tasks_current_desc.family()
        maximum = self.tasks_max_desc.family()
        for unit in units:
            if not unit.name.endswith(".service"):
                continue
            # systemd reports "no value" / "no limit" as the largest uint64.
            for family, prop in ((current, "TasksCurrent"), (maximum, "TasksMax")):
                value = self._unit_property(conn, unit.name, "Service", prop, "t")
                if value is not None and value != UINT64_MAX:
                    family.add(value, unit.name)
        return [current, maximum]

    def _timers(self, conn: Connection, units: list[UnitStatus]) -> MetricFamily:
        family = self.timer_desc.family()
        for unit in units:
            if unit.name.endswith(".timer"):
                self._add_seconds(family, conn, unit, "Timer", "LastTriggerUSec")
        return family

    def _sockets(self, conn: Connection, units: list[UnitStatus]) -> list[MetricFamily]:
        accepted = self.accepted_desc.family()
        current = self.current_desc.family()
        refused = self.refused_desc.family()
        for unit in units:
            if not unit.name.endswith(".socket"):
                continue
            # As node_exporter: no NAccepted, nothing more for this socket; no
            # NConnections, no NRefused either (NRefused exists from systemd 239 on).
            value = self._unit_property(conn, unit.name, "Socket", "NAccepted", "u")
            if value is None:
                continue
            accepted.add(value, unit.name)
            value = self._unit_property(conn, unit.name, "Socket", "NConnections", "u")
            if value is None:
                continue
            current.add(value, unit.name)
            value = self._unit_property(conn, unit.name, "Socket", "NRefused", "u")
            if value is not None:
                refused.add(value, unit.name)
        return [accepted, current, refused]
