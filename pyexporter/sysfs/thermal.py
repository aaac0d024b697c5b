"""/sys/class/thermal: thermal zones and cooling devices from their attributes."""

from __future__ import annotations

from dataclasses import dataclass

from pyexporter.golang.strconv import parse_int


@dataclass(frozen=True, slots=True)
class ThermalZone:
    name: str
    type: str
    temp: int


@dataclass(frozen=True, slots=True)
class CoolingDevice:
    name: str
    type: str
    max_state: int
    cur_state: int


def parse_zone(entry: str, zone_type: str | None, policy: str | None, temp: str | None) -> ThermalZone | None:
    """A zone from its required attributes; None (zone skipped) when one cannot be read.

    procfs needs type, policy and temp; a zone missing one of them is left out.
    """
    if zone_type is None or policy is None or temp is None:
        return None
    return ThermalZone(entry.removeprefix("thermal_zone"), zone_type, parse_int(temp))


def parse_cooling(entry: str, dev_type: str | None, max_state: str | None,
                  cur_state: str | None) -> CoolingDevice | None:
    """A cooling device; cur_state may be -1 (intel_powerclamp)."""
    if dev_type is None or max_state is None or cur_state is None:
        return None
    return CoolingDevice(entry.removeprefix("cooling_device"), dev_type, parse_int(max_state),
                         parse_int(cur_state))
