"""Go's text and number primitives, as prometheus/procfs and node_exporter use them.

node_exporter reads /proc with bufio.Scanner, splits with strings.Fields and
converts with strconv. Python's own tools are more lenient (int() takes
underscores and non-ASCII digits, float() takes "1_0", str.split() splits on
\\x1c-\\x1f), which would turn input node_exporter rejects into numbers. The
parsers use these instead. Every function raises ParseError and nothing else.
"""

from __future__ import annotations

import math
import re

from pyexporter.errors import ParseError

#: bufio.MaxScanTokenSize, the longest line a default bufio.Scanner accepts.
MAX_LINE = 64 * 1024
_UINT64_MAX = (1 << 64) - 1

#: unicode.IsSpace: what strings.Fields and strings.TrimSpace treat as blank.
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
    "\u2028\u2029\u202f\u205f\u3000"
_GO_SPACE_RUN = re.compile(f"[{re.escape(GO_SPACE)}]+")

_DECIMAL_DIGITS = re.compile(r"[0-9]+")
_SIGNED_DECIMAL = re.compile(r"[+-]?[0-9]+")
_BASE_DIGITS = {2: re.compile(r"[01]+"), 8: re.compile(r"[0-7]+"), 10: _DECIMAL_DIGITS,
                16: re.compile(r"[0-9a-fA-F]+")}
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


def go_fields(line: str) -> list[str]:
    """strings.Fields: the runs of non-blank characters."""
    return [part for part in _GO_SPACE_RUN.split(line) if part]


def go_trim_space(text: str) -> str:
    """strings.TrimSpace."""
    return text.strip(GO_SPACE)


def parse_uint(text: str, base: int = 10, bits: int = 64) -> int:
    """strconv.ParseUint(text, base, bits) for base 2, 8, 10 or 16."""
    if not _BASE_DIGITS[base].fullmatch(text):
        raise ParseError(f"invalid unsigned integer {text[:40]!r}")
    value = int(text, base)
    if value >= 1 << bits:
        raise ParseError(f"unsigned integer {text[:40]!r} out of range")
    return value


def parse_uint_base0(text: str, bits: int = 64) -> int:
    """strconv.ParseUint(text, 0, bits): 0x/0o/0b prefixes, a leading 0 for octal, '_' between digits."""
    body, base = text, 10
    prefix = text[:2].lower()
    if prefix in ("0x", "0o", "0b"):
        base = {"0x": 16, "0o": 8, "0b": 2}[prefix]
        body = text[2:]
        if body.startswith("_"):
            body = body[1:]
    elif len(text) > 1 and text[0] == "0":
        base = 8
        body = text[2:] if text[1] == "_" else text[1:]
    if "__" in body or body.startswith("_") or body.endswith("_"):
        raise ParseError(f"invalid unsigned integer {text[:40]!r}")
    return parse_uint(body.replace("_", ""), base, bits)


def parse_int(text: str, bits: int = 64) -> int:
    """strconv.ParseInt(text, 10, bits) and strconv.Atoi: an optional sign, then decimal digits."""
    if not _SIGNED_DECIMAL.fullmatch(text):
        raise ParseError(f"invalid integer {text[:40]!r}")
    value = int(text, 10)
    limit = 1 << (bits - 1)
    if not -limit <= value < limit:
        raise ParseError(f"integer {text[:40]!r} out of range")
    return value


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
