"""/sys/class/watchdog/<watchdog>: a watchdog's attributes, as procfs's ClassWatchdog reads them."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyexporter.sysfs.attrs import int_or_none

#: The numeric attributes procfs reads.
NUMERIC_ATTRS = ("bootstatus", "fw_version", "nowayout", "timeleft", "timeout", "pretimeout", "access_cs0")
#: The text attributes procfs reads.
TEXT_ATTRS = ("options", "identity", "state", "status", "pretimeout_governor")


@dataclass(frozen=True, slots=True)
class Watchdog:
    name: str
    numbers: dict[str, int] = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)


def parse_watchdog(name: str, values: dict[str, str]) -> Watchdog:
    """Numbers with Go's base-0 rules (a value that is no number is left out); texts as read."""
    numbers = {}
    for attr in NUMERIC_ATTRS:
        number = int_or_none(values.get(attr), 0)
        if number is not None:
            numbers[attr] = number
    return Watchdog(name, numbers, {attr: values[attr] for attr in TEXT_ATTRS if attr in values})
