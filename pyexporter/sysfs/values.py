"""Go-compatible handling of sysfs attribute values.

node_exporter reads sysfs through prometheus/procfs, whose helpers read one
attribute with a single 128-byte read() and trim it with Go's TrimSpace, then
parse numbers with strconv (ValueParser uses base 0: "0x1003" is a number).
Labels pass through strings.ToValidUTF8. This module adds those sysfs rules to
the strconv/strings primitives of `pyexporter.procfs.gotext`.

Text is carried as str decoded with "surrogateescape", so invalid UTF-8 bytes
survive until `valid_utf8` turns each run of them into one U+FFFD.
"""

from __future__ import annotations

import re

from pyexporter.errors import ParseError
from pyexporter.procfs.goparse import go_trim_space, parse_float, parse_int, parse_uint

__all__ = ["SYSREAD_BYTES", "decode", "float_or_none", "int_or_none", "sys_value",
           "uint_or_none", "valid_utf8"]

#: procfs util.SysReadFile reads at most this many bytes of an attribute.
SYSREAD_BYTES = 128

_INVALID_RUN = re.compile("[\udc80-\udcff]+")


def decode(data: bytes) -> str:
    """Bytes as text, invalid UTF-8 kept (as lone surrogates) for `valid_utf8`."""
    return data.decode("utf-8", "surrogateescape")


def sys_value(data: bytes) -> str:
    """An attribute as procfs util.SysReadFile returns it: first 128 bytes, TrimSpace."""
    return go_trim_space(decode(data[:SYSREAD_BYTES]))


def valid_utf8(text: str) -> str:
    """Go's strings.ToValidUTF8(text, "\\ufffd"): each run of invalid bytes becomes one U+FFFD."""
    if text.isascii():
        return text
    return _INVALID_RUN.sub("\ufffd", text)


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
    """strconv.ParseFloat's value, or None where Go fails."""
    if text is None:
        return None
    try:
        return parse_float(text)
    except ParseError:
        return None
