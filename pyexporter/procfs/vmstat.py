"""/proc/vmstat: the kernel's virtual memory counters, one per line."""

from __future__ import annotations

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_float
from pyexporter.golang.strings import go_fields, go_lines


def parse_vmstat(text: str) -> list[tuple[str, float]]:
    """(field, value) per line, in file order; every line must have a number second."""
    out = []
    for line in go_lines(text):
        parts = go_fields(line)
        if len(parts) < 2:
            raise ParseError(f"malformed vmstat line {line[:80]!r}")
        out.append((parts[0], parse_float(parts[1])))
    return out
