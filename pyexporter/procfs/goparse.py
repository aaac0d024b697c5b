"""Go's string and number parsing, as prometheus/procfs and node_exporter use it.

node_exporter's output is the reference, so numbers are accepted or refused as
Go's strconv accepts or refuses them (Python's int() and float() take `1_000`,
surrounding blanks and non-ASCII digits; Go does not), lines are split as
bufio.ScanLines splits them and fields as strings.Fields splits them. Every
function raises `ParseError` and nothing else.
"""

from __future__ import annotations

import math
import re

from pyexporter.errors import ParseError

_DIGITS = re.compile(r"[0-9]+")
_HEX_DIGITS = re.compile(r"[0-9a-fA-F]+")
# Base 0: an optional prefix picks the base and underscores may separate digits.
_BASE0 = re.compile(
    r"0[xX](?P<hex>_?[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)"
    r"|0[oO](?P<oct>_?[0-7]+(?:_[0-7]+)*)"
    r"|0[bB](?P<bin>_?[01]+(?:_[01]+)*)"
    r"|0(?P<oct0>_?[0-7]+(?:_[0-7]+)*)"
    r"|(?P<dec>0|[1-9][0-9]*(?:_[0-9]+)*)"
)
_DECIMAL_FLOAT = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_HEX_FLOAT = re.compile(r"0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+")
_SPECIAL_FLOAT = {"inf": math.inf, "infinity": math.inf, "nan": math.nan}

# unicode.IsSpace: what strings.Fields splits on (Python's str.split() also
# splits on \x1c-\x1f, which Go keeps inside a field).
_GO_SPACE_CHARS = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_GO_SPACE = re.compile("[" + re.escape(_GO_SPACE_CHARS) + "]+")


def fields(text: str) -> list[str]:
    """strings.Fields: the runs of non-space characters."""
    return [part for part in _GO_SPACE.split(text) if part]


def trim_space(text: str) -> str:
    """strings.TrimSpace."""
    return text.strip(_GO_SPACE_CHARS)


def lines(text: str) -> list[str]:
    """bufio.ScanLines: split at '\\n', drop one '\\r' before it, no empty last line."""
    out = text.split("\n")
    if out and out[-1] == "":
        out.pop()
    return [line[:-1] if line.endswith("\r") else line for line in out]


def _range_checked(value: int, low: int, high: int, text: str) -> int:
    if value < low or value > high:
        raise ParseError(f"value out of range: {text!r}")
    return value


def parse_int(text: str, base: int = 10, bits: int = 64) -> int:
    """strconv.ParseInt(text, base, bits) for base 10, 16 or 0."""
    sign = 1
    body = text
    if body[:1] in ("+", "-"):
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    magnitude = _parse_magnitude(body, base, text)
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return _range_checked(sign * magnitude, low, high, text)


def parse_uint(text: str, base: int = 10, bits: int = 64) -> int:
    """strconv.ParseUint(text, base, bits): no sign allowed."""
    return _range_checked(_parse_magnitude(text, base, text), 0, (1 << bits) - 1, text)


def atoi(text: str) -> int:
    """strconv.Atoi on a 64-bit platform."""
    return parse_int(text, 10, 64)


def _parse_magnitude(body: str, base: int, text: str) -> int:
    if base == 10:
        if not _DIGITS.fullmatch(body):
            raise ParseError(f"invalid integer: {text!r}")
        return int(body, 10)
    if base == 16:
        if not _HEX_DIGITS.fullmatch(body):
            raise ParseError(f"invalid hexadecimal integer: {text!r}")
        return int(body, 16)
    if base == 0:
        match = _BASE0.fullmatch(body)
        if match is None:
            raise ParseError(f"invalid integer: {text!r}")
        for group, radix in (("hex", 16), ("oct", 8), ("bin", 2), ("oct0", 8), ("dec", 10)):
            digits = match.group(group)
            if digits is not None:
                return int(digits.replace("_", ""), radix)
    raise ParseError(f"unsupported base {base}")


def parse_float(text: str) -> float:
    """strconv.ParseFloat(text, 64): decimal, hexadecimal with exponent, inf, nan."""
    body = text
    sign = 1.0
    signed = body[:1] in ("+", "-")
    if signed:
        sign = -1.0 if body[0] == "-" else 1.0
        body = body[1:]
    special = _SPECIAL_FLOAT.get(body.lower())
    if special is not None:
        # Go takes a sign before "inf" but not before "nan".
        if signed and math.isnan(special):
            raise ParseError(f"invalid number: {text!r}")
        return sign * special
    if _DECIMAL_FLOAT.fullmatch(body):
        value = float(body)
    elif _HEX_FLOAT.fullmatch(body):
        try:
            value = float.fromhex(body)
        except OverflowError:
            raise ParseError(f"value out of range: {text!r}") from None
    else:
        raise ParseError(f"invalid number: {text!r}")
    if math.isinf(value):
        raise ParseError(f"value out of range: {text!r}")
    return sign * value

