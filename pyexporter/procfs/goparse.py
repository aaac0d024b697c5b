"""Text and number primitives with the exact semantics of the Go functions node_exporter parses with.

prometheus/procfs and node_exporter read /proc and /sys with bufio.Scanner,
split lines with strings.Fields, trim with strings.TrimSpace and convert
numbers with strconv.ParseUint/ParseInt/ParseFloat. Python's str.split,
strip, splitlines, int() and float() are more lenient (int() takes signs,
underscores, surrounding blanks and non-ASCII digits; splitlines breaks on
form feeds and record separators), which would turn input node_exporter
rejects into numbers, so parsers use these instead. Every function raises
ParseError and nothing else.
"""

from __future__ import annotations

import math
import re

from pyexporter.errors import ParseError

__all__ = ["GO_SPACE", "GO_SPACE_CLASS", "MAX_LINE", "go_fields", "go_lines", "go_trim_space", "parse_float",
           "parse_go_duration", "parse_int", "parse_uint", "wrap_uint64"]

#: bufio.MaxScanTokenSize: a longer line makes the Scanner fail.
MAX_LINE = 64 * 1024

#: unicode.IsSpace, as a regex character class body: what strings.Fields splits on
#: (Python's str.split also splits on \x1c-\x1f, which Go keeps inside a field).
GO_SPACE_CLASS = "\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: unicode.IsSpace as a string of characters: what strings.TrimSpace trims.
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
    "\u2028\u2029\u202f\u205f\u3000"

_GO_SPACE_RUN = re.compile(f"[{GO_SPACE_CLASS}]+")
_UINT64_MAX = (1 << 64) - 1

_DIGITS = {
    2: re.compile(r"[01]+"),
    8: re.compile(r"[0-7]+"),
    10: re.compile(r"[0-9]+"),
    16: re.compile(r"[0-9a-fA-F]+"),
}
_SIGNED_DECIMAL = re.compile(r"[+-]?[0-9]+")
_BASE_PREFIXES = {"0x": 16, "0o": 8, "0b": 2}

_DECIMAL_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_HEX_FLOAT = re.compile(r"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+")
_INFINITY = re.compile(r"[+-]?(?:inf|infinity)", re.IGNORECASE)

# Possessive digit runs: a long run of digits without a unit must fail in
# linear time, not after quadratic backtracking.
_DURATION_PART = re.compile(r"([0-9]*+(?:\.[0-9]*+)?)(ns|us|µs|μs|ms|s|m|h|d|w|y)")
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0,
                   "h": 3600.0}
#: Prometheus's longer units (model.Duration), beyond Go's.
_LONG_DURATION_UNITS = {"d": 86400.0, "w": 604800.0, "y": 31536000.0}


def go_lines(text: str, max_line: int = MAX_LINE) -> list[str]:
    """The lines bufio.Scanner yields: split on \\n, one trailing \\r dropped, no final empty line.

    A line of `max_line` characters or more fails the Scanner (bufio.ErrTooLong);
    callers that give the Scanner a larger buffer (procfs reads /proc/stat with
    1 MiB lines) pass their own limit.
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
    """strings.Fields: the runs of non-space characters."""
    return [part for part in _GO_SPACE_RUN.split(line) if part]


def go_trim_space(text: str) -> str:
    """strings.TrimSpace."""
    return text.strip(GO_SPACE)


def _without_base_prefix(text: str) -> tuple[str, int]:
    """The digits and base strconv's base 0 reads: 0x/0o/0b prefixes, a leading 0 means octal.

    Go allows single underscores between digits (and after the base prefix) only with base 0.
    """
    body = text
    base = 10
    prefix = text[:2].lower()
    if prefix in _BASE_PREFIXES:
        base = _BASE_PREFIXES[prefix]
        body = text[2:]
        if body.startswith("_"):
            body = body[1:]
    elif len(text) > 1 and text[0] == "0":
        base = 8
        body = text[2:] if text[1] == "_" else text[1:]
    if "__" in body or body.endswith("_") or body.startswith("_"):
        raise ParseError(f"invalid unsigned integer {text[:40]!r}")
    return body.replace("_", ""), base


def parse_uint(text: str, base: int = 10, bits: int = 64) -> int:
    """strconv.ParseUint(text, base, bits) for base 0 (Go's prefixes and underscores), 2, 8, 10 or 16."""
    digits, digits_base = _without_base_prefix(text) if base == 0 else (text, base)
    if not _DIGITS[digits_base].fullmatch(digits):
        raise ParseError(f"invalid unsigned integer {text[:40]!r}")
    if len(digits) > bits:
        # Go takes any number of leading zeros. More than `bits` significant digits
        # are out of range in any base, and are refused before int() sees them: it
        # raises ValueError beyond 4300 digits and takes quadratic time below that.
        digits = digits.lstrip("0") or "0"
        if len(digits) > bits:
            raise ParseError(f"unsigned integer {text[:40]!r} out of range")
    value = int(digits, digits_base)
    if value >> bits:
        raise ParseError(f"unsigned integer {text[:40]!r} out of range")
    return value


def parse_int(text: str, base: int = 10, bits: int = 64) -> int:
    """strconv.ParseInt(text, base, bits): an optional sign, then ParseUint's syntax for `base`."""
    limit = 1 << (bits - 1)
    if base == 10 and len(text) <= 20 and _SIGNED_DECIMAL.fullmatch(text):
        # The common case, without the detour through parse_uint.
        value = int(text)
        if not -limit <= value < limit:
            raise ParseError(f"integer {text[:40]!r} out of range")
        return value
    negative = text[:1] == "-"
    try:
        magnitude = parse_uint(text[1:] if text[:1] in ("+", "-") else text, base, bits)
    except ParseError:
        raise ParseError(f"invalid integer {text[:40]!r}") from None
    if magnitude > limit or (magnitude == limit and not negative):
        raise ParseError(f"integer {text[:40]!r} out of range")
    return -magnitude if negative else magnitude


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


def parse_go_duration(text: str, *, long_units: bool = False, negative: bool = True) -> float:
    """time.ParseDuration (`1s`, `1m30s`, `1.5h`, `.5s`, `-2ms`, `0`) in seconds.

    `long_units` also takes Prometheus's d, w and y; `negative=False` refuses
    a leading minus (the command line's timeouts).
    """
    body = text
    sign = 1.0
    if body[:1] in ("-", "+"):
        if body[0] == "-":
            if not negative:
                raise ParseError(f"negative duration {text[:40]!r}")
            sign = -1.0
        body = body[1:]
    if body == "0":
        return 0.0
    if not body:
        raise ParseError(f"invalid duration {text[:40]!r}")
    units, names = (_DURATION_UNITS | _LONG_DURATION_UNITS, "ns, us, ms, s, m, h, d, w, y") if long_units \
        else (_DURATION_UNITS, "ns, us, ms, s, m, h")
    total = 0.0
    pos = 0
    while pos < len(body):
        match = _DURATION_PART.match(body, pos)
        if match is None or match.group(2) not in units or not any(c.isdigit() for c in match.group(1)):
            if match is None and body[pos:].rstrip("0123456789.") == "":
                raise ParseError(f"missing unit in duration {text[:40]!r}")
            raise ParseError(f"invalid duration {text[:40]!r} (units: {names})")
        total += float(match.group(1)) * units[match.group(2)]
        pos = match.end()
    return sign * total


def wrap_uint64(value: int) -> int:
    """An unsigned product as Go computes it: modulo 2**64."""
    return value & _UINT64_MAX
