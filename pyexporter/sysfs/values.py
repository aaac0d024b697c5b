"""Go-compatible handling of sysfs attribute values.

node_exporter reads sysfs through prometheus/procfs, whose helpers read one
attribute with a single 128-byte read() and trim it with Go's TrimSpace, then
parse numbers with strconv. Labels pass through strings.ToValidUTF8. The
functions here reproduce those rules on bytes and text so that values, label
values and "this attribute is skipped" decisions match node_exporter's.

Text is carried as str decoded with "surrogateescape", so invalid UTF-8 bytes
survive until `valid_utf8` turns each run of them into one U+FFFD.
"""

from __future__ import annotations

import math
import re

from pyexporter.errors import ParseError

#: procfs util.SysReadFile reads at most this many bytes of an attribute.
SYSREAD_BYTES = 128

#: unicode.IsSpace: Go's TrimSpace set. Unlike str.strip() it leaves the
#: ASCII separators \x1c-\x1f alone (DMI strings carry them).
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008" \
            "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_INVALID_RUN = re.compile("[\udc80-\udcff]+")
_INT_DIGITS = {2: "01", 8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}
_DEC_FLOAT = re.compile(r"[0-9_]*\.?[0-9_]*(?:[eE][+-]?[0-9_]+)?")
_HEX_FLOAT = re.compile(r"0[xX]([0-9a-fA-F_]*\.?[0-9a-fA-F_]*)[pP]([+-]?[0-9_]+)")
_INF_NAMES = ("inf", "infinity")


def decode(data: bytes) -> str:
    """Bytes as text, invalid UTF-8 kept (as lone surrogates) for `valid_utf8`."""
    return data.decode("utf-8", "surrogateescape")


def trim_space(text: str) -> str:
    """Go's strings.TrimSpace."""
    return text.strip(_GO_SPACE)


def sys_value(data: bytes) -> str:
    """An attribute as procfs util.SysReadFile returns it: first 128 bytes, TrimSpace."""
    return trim_space(decode(data[:SYSREAD_BYTES]))


def valid_utf8(text: str) -> str:
    """Go's strings.ToValidUTF8(text, "\\ufffd"): each run of invalid bytes becomes one U+FFFD."""
    if text.isascii():
        return text
    return _INVALID_RUN.sub("\ufffd", text)


def _underscores_ok(text: str, hex_digits: bool, prefixed: bool) -> bool:
    """strconv's underscoreOK: '_' only between digits, or right after a base prefix."""
    saw = "0" if prefixed else "^"
    for ch in text:
        if ("0" <= ch <= "9") or (hex_digits and ch in "abcdefABCDEF"):
            saw = "0"
        elif ch == "_":
            if saw != "0":
                return False
            saw = "_"
        else:
            if saw == "_":
                return False
            saw = "!"
    return saw != "_"


def parse_uint(text: str, base: int = 10, bits: int = 64) -> int:
    """strconv.ParseUint(text, base, bits) for base 0 or 10; ParseError where Go fails."""
    digits, actual = text, base
    prefixed = False
    if base == 0:
        actual = 10
        lower = text[:2].lower()
        if lower in ("0x", "0o", "0b"):
            actual = {"0x": 16, "0o": 8, "0b": 2}[lower]
            digits, prefixed = text[2:], True
        elif text.startswith("0") and len(text) > 1:
            actual, digits, prefixed = 8, text[1:], True
        if "_" in digits:
            if not _underscores_ok(digits, actual == 16, prefixed):
                raise ParseError(f"invalid number {text!r}")
            digits = digits.replace("_", "")
    if not digits or any(ch not in _INT_DIGITS[actual] for ch in digits):
        raise ParseError(f"invalid number {text!r}")
    value = int(digits, actual)
    if value >= 1 << bits:
        raise ParseError(f"number out of range: {text!r}")
    return value


def parse_int(text: str, base: int = 10, bits: int = 64) -> int:
    """strconv.ParseInt(text, base, bits) for base 0 or 10; ParseError where Go fails."""
    negative = text[:1] == "-"
    body = text[1:] if text[:1] in ("+", "-") else text
    magnitude = parse_uint(body, base, bits)
    limit = 1 << (bits - 1)
    if magnitude > limit or (magnitude == limit and not negative):
        raise ParseError(f"number out of range: {text!r}")
    return -magnitude if negative else magnitude


def parse_float(text: str) -> float:
    """strconv.ParseFloat(text, 64): Go's decimal and hex syntax, Inf/NaN; ParseError where Go fails."""
    body = text[1:] if text[:1] in ("+", "-") else text
    sign = -1.0 if text[:1] == "-" else 1.0
    if body.lower() in _INF_NAMES:
        return sign * math.inf
    if text.lower() == "nan":
        return math.nan
    hex_match = _HEX_FLOAT.fullmatch(body)
    if hex_match:
        mantissa = hex_match.group(1)
        if not _underscores_ok(body[2:], True, True) or not mantissa.replace("_", "").strip("."):
            raise ParseError(f"invalid number {text!r}")
        exponent = hex_match.group(2).replace("_", "")
        try:
            result = float.fromhex(f"0x{mantissa.replace('_', '')}p{exponent}")
        except (OverflowError, ValueError):
            raise ParseError(f"number out of range: {text!r}") from None
        return sign * result
    if not _DEC_FLOAT.fullmatch(body) or not any("0" <= ch <= "9" for ch in re.split("[eE]", body)[0]):
        raise ParseError(f"invalid number {text!r}")
    if "_" in body and not _underscores_ok(body, False, False):
        raise ParseError(f"invalid number {text!r}")
    result = float(body.replace("_", ""))
    if math.isinf(result):
        raise ParseError(f"number out of range: {text!r}")
    return sign * result


def int_or_none(text: str | None, base: int = 10) -> int | None:
    """procfs ValueParser style: the int64 value, or None when absent or not a number."""
    if text is None:
        return None
    try:
        return parse_int(text, base)
    except ParseError:
        return None


def uint_or_none(text: str | None, base: int = 10) -> int | None:
    """The uint64 value, or None when absent or not a number."""
    if text is None:
        return None
    try:
        return parse_uint(text, base)
    except ParseError:
        return None


def float_or_none(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return parse_float(text)
    except ParseError:
        return None
