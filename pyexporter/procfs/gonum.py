"""strconv.ParseInt(text, 0, 64), beside `goparse` and `gotext` (which have the unsigned base-0 form).

procfs' ValueParser and SysctlInts parse signed integers with base 0: an
optional sign, then a 0x/0o/0b prefix or a leading 0 for octal, and single
underscores between digits. Raises ParseError and nothing else.
"""

from __future__ import annotations

from pyexporter.errors import ParseError
from pyexporter.procfs.goparse import parse_uint_base0

_INT64_LIMIT = 1 << 63


def parse_int_base0(text: str) -> int:
    """strconv.ParseInt(text, 0, 64)."""
    negative = text[:1] == "-"
    body = text[1:] if text[:1] in ("+", "-") else text
    if body[:1] in ("+", "-"):
        raise ParseError(f"invalid integer {text[:40]!r}")
    magnitude = parse_uint_base0(body)
    value = -magnitude if negative else magnitude
    if not -_INT64_LIMIT <= value < _INT64_LIMIT:
        raise ParseError(f"integer {text[:40]!r} out of range")
    return value
