"""/proc/net/xfrm_stat: the IPsec transformation error counters."""

from __future__ import annotations

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_int
from pyexporter.golang.strings import go_fields, go_lines


def parse_xfrm_stat(text: str) -> dict[str, int]:
    """`Name value` lines; every line must have exactly two fields and an integer value."""
    out: dict[str, int] = {}
    for line in go_lines(text):
        parts = go_fields(line)
        if len(parts) != 2:
            raise ParseError(f"xfrm_stat: couldn't parse line {line[:80]!r}")
        out[parts[0]] = parse_int(parts[1])
    return out
