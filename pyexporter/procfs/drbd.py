"""/proc/drbd: DRBD's per-device counters and states."""

from __future__ import annotations

from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint
from pyexporter.golang.strings import go_fields


@dataclass(frozen=True, slots=True)
class DrbdValue:
    """One `key:value` word of /proc/drbd attributed to the device it follows."""

    device: str
    key: str
    value: str


def parse_drbd(text: str) -> list[DrbdValue]:
    """The `key:value` words of /proc/drbd; `N:` starts device drbdN (node_exporter scans words)."""
    out: list[DrbdValue] = []
    device = "unknown"
    for word in go_fields(text):
        kv = word.split(":")
        if len(kv) != 2:
            continue
        key, value = kv
        if value == "":
            try:
                device = f"drbd{parse_uint(key)}"
                continue
            except ParseError:
                pass
        out.append(DrbdValue(device, key, value))
    return out
