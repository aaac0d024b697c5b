"""More of Go's text and number primitives, beside `pyexporter.procfs.goparse`.

goparse has strings.Fields, bufio.Scanner lines and strconv's integer parsers;
this adds what the core collectors need on top: strconv.ParseFloat,
strings.TrimSpace, a Scanner with an enlarged buffer (procfs reads /proc/stat
with 1 MiB lines), and uint64 wrap-around. Every function raises ParseError
and nothing else.
"""

from __future__ import annotations

import math
import re

from pyexporter.errors import ParseError
from pyexporter.procfs.goparse import MAX_LINE, go_fields, parse_int, parse_uint, parse_uint_base0

__all__ = ["GO_SPACE", "MAX_LINE", "go_fields", "go_lines", "go_trim_space", "parse_float", "parse_int",
           "parse_uint", "parse_uint_base0", "wrap_uint64"]

_UINT64_MAX = (1 << 64) - 1

#: unicode.IsSpace: what strings.TrimSpace trims.
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
    "\u2028\u2029\u202f\u205f\u3000"

_DECIMAL_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_HEX_FLOAT = re.compile(r"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+")
_INFINITY = re.compile(r"[+-]?(?:inf|infinity)", re.IGNORECASE)


def go_lines(text: str, max_line: int = MAX_LINE) -> list[str]:
    """The lines bufio.Scanner yields: split on \\n, one trailing \\r dropped, no final empty line.

    A line of `max_line` characters or more fails the Scanner (bufio.ErrTooLong).
    """
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    out = []
    for line in lines:
        if len(line) >= max_line:
            raise ParseError(f"line longer than {max_line} bytes")
        out.append(line[:-1] if line.endswith("\r") else line)
    return out


def go_trim_space(text: str) -> str:
    """strings.TrimSpace."""
    return text.strip(GO_SPACE)


def parse_float(text: str) -> float:
    """strconv.ParseFloat(text, 64): decimal or hex (with a p exponent), Inf, Infinity, NaN.

    Like Go, a finite literal beyond float64's range is an error, not infinity.
    """
    if _DECIMAL_FLOAT.fullmatch(text):
        value = float(text)
    elif _HEX_FLOAT.fullmatch(text):
        try:
            value = float.fromhex(text)
        except OverflowError:
            raise ParseError(f"number {text[:40]!r} out of range") from None
    elif _INFINITY.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    elif text.lower() == "nan":
        return math.nan
    else:
        raise ParseError(f"invalid number {text[:40]!r}")
    if math.isinf(value):
        raise ParseError(f"number {text[:40]!r} out of range")
    return value


def wrap_uint64(value: int) -> int:
    """An unsigned product as Go computes it: modulo 2**64."""
    return value & _UINT64_MAX
