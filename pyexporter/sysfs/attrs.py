"""sysfs (and /proc/sys) attribute values as prometheus/procfs reads them, through `pyexporter.fs`.

procfs reads a small attribute with util.SysReadFile, a single read() of at
most 128 bytes trimmed with Go's TrimSpace, and a number file with
util.ReadUintFromFile, the whole file trimmed; numbers then go through
strconv (ValueParser uses base 0: "0x1003" is a number). The strconv and
strings primitives are `pyexporter.golang`'s.

An attribute the kernel refuses to hand out (absent, EINVAL, EIO, ...) reads
as None, as node_exporter skips optional attributes. Text is carried as str
decoded with "surrogateescape", so invalid UTF-8 bytes survive until
`valid_utf8` turns each run of them into one U+FFFD, as Go's
strings.ToValidUTF8 does for label values.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TypeVar

from pyexporter import fs
from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_float, parse_int, parse_uint
from pyexporter.golang.strings import go_trim_space

__all__ = ["SYSREAD_BYTES", "decode", "float_or_none", "int_or_none", "read_optional_uint", "read_parsed",
           "read_uint", "read_uint_file", "read_value", "sys_value", "uint_or_none", "valid_utf8"]

T = TypeVar("T")
log = logging.getLogger(__name__)

#: procfs util.SysReadFile reads at most this many bytes of an attribute.
SYSREAD_BYTES = 128

_INVALID_RUN = re.compile("[\udc80-\udcff]+")


def decode(data: bytes) -> str:
    """Bytes as text, invalid UTF-8 kept (as lone surrogates) for `valid_utf8`."""
    return data.decode("utf-8", "surrogateescape")


def valid_utf8(text: str) -> str:
    """Go's strings.ToValidUTF8(text, "\\ufffd"): each run of invalid bytes becomes one U+FFFD."""
    if text.isascii():
        return text
    return _INVALID_RUN.sub("\ufffd", text)


def sys_value(data: bytes, limit: int | None = SYSREAD_BYTES) -> str:
    """An attribute's bytes as procfs sees them: the first `limit` bytes (None: all), TrimSpace."""
    return go_trim_space(decode(data if limit is None else data[:limit]))


def read_value(path: str, limit: int | None = SYSREAD_BYTES) -> str | None:
    """An attribute as util.SysReadFile returns it; None when absent or refused by the driver.

    `limit=None` reads the whole attribute, as util.ReadUintFromFile and
    ReadIntFromFile do (longer values, such as an NVMe qualified name of up to
    223 bytes, are otherwise cut at 128 bytes as procfs cuts them).
    """
    data = fs.read_sysfs_bytes(path)
    return None if data is None else sys_value(data, limit)


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


def read_uint(path: str, base: int = 10) -> int | None:
    """An optional attribute holding one unsigned integer (the whole attribute, trimmed).

    None when absent, unreadable or not a number.
    """
    return uint_or_none(read_value(path, None), base)


def read_optional_uint(path: str) -> int | None:
    """util.ReadUintFromFile where an absent or refused file is skipped: None then; ParseError
    (naming the file) for one that is there but not a decimal uint64."""
    text = read_value(path, None)
    if text is None:
        return None
    try:
        return parse_uint(text)
    except ParseError as exc:
        raise ParseError(f"{path}: {exc}") from None


def read_uint_file(path: str) -> int:
    """util.ReadUintFromFile for a file that must be there: the whole file, trimmed, a decimal uint64.

    Raises OSError (FileNotFoundError when absent) or ParseError.
    """
    return parse_uint(go_trim_space(fs.read_text(path)))


def read_parsed(path: str, parse: Callable[[str], T]) -> T | None:
    """An optional attribute file through `parse` (which gets its text, trailing newline removed).

    None when the attribute is absent or refused, or when `parse` raises
    ParseError (logged at debug level): node_exporter skips such files.
    """
    raw = fs.read_sysfs_attr(path)
    if raw is None:
        return None
    try:
        return parse(raw)
    except ParseError as exc:
        log.debug("skipping %s: %s", path, exc)
        return None
