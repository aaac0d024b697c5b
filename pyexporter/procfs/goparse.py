"""Text primitives with the exact semantics of the Go functions node_exporter parses with.

prometheus/procfs and node_exporter read /proc with bufio.Scanner, split lines
with strings.Fields and convert numbers with strconv.ParseUint/ParseInt.
Python's str.split, splitlines and int() are more lenient (int() takes signs,
underscores, surrounding blanks and non-ASCII digits; splitlines breaks on
form feeds and record separators), which would turn input node_exporter
rejects into numbers, so parsers use these instead. Every function raises
ParseError and nothing else.
"""

from __future__ import annotations

import re

from pyexporter.errors import ParseError

#: bufio.MaxScanTokenSize: a longer line makes the Scanner fail.
MAX_LINE = 64 * 1024

#: unicode.IsSpace, which strings.Fields splits on (Python's str.split also
#: splits on \x1c-\x1f, which Go keeps inside a field).
_GO_SPACE = re.compile("[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")

_DIGITS = {
    2: re.compile(r"[01]+"),
    8: re.compile(r"[0-7]+"),
    10: re.compile(r"[0-9]+"),
    16: re.compile(r"[0-9a-fA-F]+"),
}
_SIGNED_DECIMAL = re.compile(r"[+-]?[0-9]+")


def go_lines(text: str) -> list[str]:
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


def go_fields(line: str) -> list[str]:
    """strings.Fields: the runs of non-space characters."""
    return [part for part in _GO_SPACE.split(line) if part]


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


def parse_uint_base0(text: str, bits: int = 64) -> int:
    """strconv.ParseUint(text, 0, bits): 0x/0o/0b prefixes, a leading 0 means octal, '_' between digits."""
    body = text
    base = 10
    lowered = text[:2].lower()
    if lowered in ("0x", "0o", "0b"):
        base = {"0x": 16, "0o": 8, "0b": 2}[lowered]
        body = text[2:]
        if body.startswith("_"):
            body = body[1:]
    elif len(text) > 1 and text[0] == "0":
        base = 8
        body = text[2:] if text[1] == "_" else text[1:]
    # Go allows single underscores between digits (and after the base prefix) only with base 0.
    if "__" in body or body.endswith("_") or body.startswith("_"):
        raise ParseError(f"invalid unsigned integer {text[:40]!r}")
    return parse_uint(body.replace("_", ""), base, bits)
