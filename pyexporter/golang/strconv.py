"""strconv's ParseUint, ParseInt, ParseFloat and FormatFloat, with Go's exact semantics.

prometheus/procfs and node_exporter convert numbers with strconv. Python's
int() and float() are more lenient (signs, underscores, surrounding blanks,
non-ASCII digits), which would turn input node_exporter rejects into numbers,
so parsers use these instead. client_golang prints sample values with
FormatFloat(v, 'g', -1, 64), whose switch to exponent notation differs from
repr(). The parse functions raise ParseError and nothing else.
"""

from __future__ import annotations

import math
import re

from pyexporter.errors import ParseError

__all__ = ["format_go_float", "parse_float", "parse_int", "parse_uint", "wrap_uint64"]

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
_INF = math.inf
_TWO_53 = 2.0**53


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


def wrap_uint64(value: int) -> int:
    """An unsigned product as Go computes it: modulo 2**64."""
    return value & _UINT64_MAX


def format_go_float(value: float) -> str:
    """strconv.FormatFloat(value, 'g', -1, 64), as client_golang's text writer formats samples."""
    # Both Go and Python print the shortest digits that read back as the same
    # float; they differ only in where exponent notation starts (Go: 1e6 and up,
    # Python: 1e16 and up; both below 1e-4), so most values need no digit work.
    if value.is_integer():
        if -1e6 < value < 1e6:
            return str(int(value))
        if -_TWO_53 < value < _TWO_53:
            # Exact integers: their shortest digits are their decimal digits.
            text = str(int(value))
            sign = ""
            if text[0] == "-":
                sign, text = "-", text[1:]
            digits = text.rstrip("0")
            mant = digits[0] + "." + digits[1:] if len(digits) > 1 else digits
            return f"{sign}{mant}e+{len(text) - 1:02d}"
    elif value != value:
        return "NaN"
    magnitude = abs(value)
    if magnitude < 1e6 or 1e16 <= magnitude < _INF:
        return repr(value)
    return _format_go_float_digits(value)


def _format_go_float_digits(value: float) -> str:
    """format_go_float from Python's shortest digits, for the ranges where the notations differ."""
    if value == _INF:
        return "+Inf"
    if value == -_INF:
        return "-Inf"
    text = repr(value)
    sign = ""
    if text[0] == "-":
        sign, text = "-", text[1:]
    if "e" in text:
        mantissa, exp_text = text.split("e")
        exponent = int(exp_text)
        digits = mantissa.replace(".", "")
    else:
        int_part, _, frac = text.partition(".")
        if frac == "0":
            frac = ""
        if int_part != "0":
            exponent = len(int_part) - 1
            digits = (int_part + frac).rstrip("0")
        else:
            stripped = frac.lstrip("0")
            exponent = -(len(frac) - len(stripped)) - 1
            digits = stripped
    # strconv's 'g' with the shortest precision switches to %e exactly when the
    # decimal exponent is < -4 or >= 6 (eprec is forced to 6 for shortest).
    digits = digits.rstrip("0") or "0"
    if exponent < -4 or exponent >= 6:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        esign = "-" if exponent < 0 else "+"
        return f"{sign}{mant}e{esign}{abs(exponent):02d}"
    if exponent < 0:
        return f"{sign}0.{'0' * (-exponent - 1)}{digits}"
    if len(digits) <= exponent + 1:
        return sign + digits + "0" * (exponent + 1 - len(digits))
    return f"{sign}{digits[: exponent + 1]}.{digits[exponent + 1:]}"
