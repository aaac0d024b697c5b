"""/proc/loadavg: the 1, 5 and 15 minute load averages."""

from __future__ import annotations

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_float
from pyexporter.golang.strings import go_fields


def parse_loadavg(text: str) -> tuple[float, float, float]:
    """The three load averages: node_exporter's parseLoad (strings.Fields, strconv.ParseFloat)."""
    parts = go_fields(text)
    if len(parts) < 3:
        raise ParseError(f"unexpected /proc/loadavg content: {text[:80]!r}")
    return parse_float(parts[0]), parse_float(parts[1]), parse_float(parts[2])
