"""Line splitting and number conversion with the semantics of the Go code node_exporter runs.

prometheus/procfs reads /proc with bufio.Scanner, splits with strings.Fields
and converts with strconv. Python's int() and float() are more lenient (signs,
underscores, surrounding blanks, non-ASCII digits), which would turn input
node_exporter rejects into numbers. Every function here raises ParseError and
nothing else.
"""

from __future__ import annotations

import math
import re

from pyexporter.errors import ParseError

#: bufio.MaxScanTokenSize: a longer line makes bufio.Scanner stop with an error.
MAX_LINE = 64 * 1024

#: unicode.IsSpace, on which strings.Fields splits (str.split also splits on
#: \x1c-\x1f, which Go keeps inside a field).
_GO_SPACE = re.compile("[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_GO_SPACE_CHARS = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009" \
                  "\u200a\u2028\u2029\u202f\u205f\u3000"

_DIGITS = {
    2: re.compile(r"[01]+"),
    8: re.compile(r"[0-7]+"),
    10: re.compile(r"[0-9]+"),
    16: re.compile(r"[0-9a-fA-F]+"),
}
_SIGNED_DECIMAL = re.compile(r"[+-]?[0-9]+")
_DECIMAL_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_HEX_FLOAT = re.compile(r"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+")
_SPECIAL_FLOAT = {"inf": math.inf, "+inf": math.inf, "-inf": -math.inf, "infinity": math.inf,
                  "+infinity": math.inf, "-infinity": -math.inf, "nan": math.nan}


def scan_lines(text: str) -> list[str]:
    """The lines bufio.Scanner yields: split on \\n, one trailing \\r dropped, no final empty line."""
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    out = []
    for line in lines:
        if len(line) >= MAX_LINE:
            raise ParseError(f"line longer than {MAX_LINE} bytes")
        out.append(line[:-1] if line.endswith("\r") else line)
    return out


def fields(line: str) -> list[str]:
    """strings.Fields: the runs of non-space characters."""
    return [part for part in _GO_SPACE.split(line) if part]


def trim_space(text: str) -> str:
    """strings.TrimSpace."""
    return text.strip(_GO_SPACE_CHARS)


def parse_uint(text: str, base: int = 10, bits: int = 64) -> int:
    """strconv.ParseUint(text, base, bits) for base 2, 8, 10 or 16."""
    if not _DIGITS[base].fullmatch(text):
        raise ParseError(f"invalid unsigned integer {text[:40]!r}")
    value = int(text, base)
    if value >= 1 << bits:
        raise ParseError(f"unsigned integer {text[:40]!r} out of range")
    return value


def parse_int(text: str, bits: int = 64) -> int:
    """strconv.ParseInt(text, 10, bits): an optional sign, then decimal digits."""
    if not _SIGNED_DECIMAL.fullmatch(text):
        raise ParseError(f"invalid integer {text[:40]!r}")
    value = int(text, 10)
    limit = 1 << (bits - 1)
    if not -limit <= value < limit:
        raise ParseError(f"integer {text[:40]!r} out of range")
    return value


def _split_base0(text: str) -> tuple[int, str]:
    """The base and digits of a Go integer literal (0x/0o/0b prefix, leading 0 = octal, '_' separators)."""
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
        raise ParseError(f"invalid integer {text[:40]!r}")
    return base, body.replace("_", "")


def parse_uint_base0(text: str, bits: int = 64) -> int:
    """strconv.ParseUint(text, 0, bits)."""
    base, body = _split_base0(text)
    return parse_uint(body, base, bits)


def parse_int_base0(text: str, bits: int = 64) -> int:
    """strconv.ParseInt(text, 0, bits)."""
    sign = 1
    if text[:1] in ("+", "-"):
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    base, body = _split_base0(text)
    magnitude = parse_uint(body, base, bits)
    value = sign * magnitude
    limit = 1 << (bits - 1)
    if not -limit <= value < limit:
        raise ParseError(f"integer {text[:40]!r} out of range")
    return value


def parse_float(text: str) -> float:
    """strconv.ParseFloat(text, 64): decimal or hex literals, inf/infinity/nan; out of range is an error."""
    special = _SPECIAL_FLOAT.get(text.lower())
    if special is not None:
        return special
    if _DECIMAL_FLOAT.fullmatch(text):
        value = float(text)
    elif _HEX_FLOAT.fullmatch(text):
        try:
            value = float.fromhex(text)
        except (OverflowError, ValueError):
            raise ParseError(f"float {text[:40]!r} out of range") from None
    else:
        raise ParseError(f"invalid float {text[:40]!r}")
    if math.isinf(value):
        raise ParseError(f"float {text[:40]!r} out of range")
    return value
