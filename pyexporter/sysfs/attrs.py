"""Small helpers for sysfs attributes and entries, shared by the sysfs collectors.

They read only through `pyexporter.fs` and never raise for an attribute the
kernel refuses to hand out: like node_exporter's optional attributes, such an
attribute is simply absent (None).
"""

from __future__ import annotations

import math
import re

from pyexporter import fs
from pyexporter.procfs.goparse import go_trim_space
from pyexporter.sysfs.values import decode, sys_value

_UINT10 = re.compile(r"[0-9]+")
_UINT_ANY = re.compile(r"(?:0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)")
_MAX_UINT64 = (1 << 64) - 1
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_FLOAT_SPECIAL = re.compile(r"[+-]?(?:inf|infinity|nan)", re.IGNORECASE)


def parse_uint(text: str, base: int = 10) -> int | None:
    """Go's strconv.ParseUint(text, base, 64): None for anything else.

    base 0 takes the 0x/0o/0/0b prefixes as Go does (fibre channel counters
    are printed in hex). Signs, spaces and values above 2^64-1 are refused.
    """
    if base == 10:
        if not _UINT10.fullmatch(text):
            return None
        value = int(text)
    elif base == 0:
        if not _UINT_ANY.fullmatch(text):
            return None
        lowered = text.lower()
        if lowered.startswith("0x"):
            value = int(text[2:], 16)
        elif lowered.startswith("0b"):
            value = int(text[2:], 2)
        elif lowered.startswith("0o"):
            value = int(text[2:], 8)
        elif len(text) > 1 and text.startswith("0"):
            value = int(text[1:], 8)
        else:
            value = int(text)
    else:
        raise ValueError(f"unsupported base {base}")
    return value if value <= _MAX_UINT64 else None


def parse_float(text: str) -> float | None:
    """Go's strconv.ParseFloat(text, 64) for decimal input: None where Go errs.

    Python's float() also takes underscores and surrounding blanks; Go does
    not. A finite literal beyond float64's range is an error in Go as well.
    """
    if _FLOAT.fullmatch(text):
        value = float(text)
        return None if math.isinf(value) else value
    if _FLOAT_SPECIAL.fullmatch(text):
        return float(text)
    return None


def read_trimmed(path: str) -> str | None:
    """An attribute with surrounding whitespace removed (Go's strings.TrimSpace)."""
    value = fs.read_sysfs_attr(path)
    return None if value is None else value.strip()


def read_uint(path: str, base: int = 10) -> int | None:
    """An attribute holding one unsigned integer; None when absent, unreadable or not a number."""
    value = read_trimmed(path)
    return None if value is None else parse_uint(value, base)


def read_value(path: str) -> str | None:
    """procfs util.SysReadFile: the first 128 bytes, Go's TrimSpace; None when absent or unreadable.

    Invalid UTF-8 is kept (see `pyexporter.sysfs.values.valid_utf8`) so labels
    come out as node_exporter's strings.ToValidUTF8 makes them.
    """
    data = fs.read_sysfs_bytes(path)
    return None if data is None else sys_value(data)


def read_whole_value(path: str) -> str | None:
    """procfs util.ReadUintFromFile/ReadIntFromFile: the whole attribute, Go's TrimSpace."""
    data = fs.read_sysfs_bytes(path)
    return None if data is None else go_trim_space(decode(data))
