"""/proc/meminfo, parsed as prometheus/procfs parses it."""

from __future__ import annotations

from typing import NamedTuple

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint, wrap_uint64
from pyexporter.golang.strings import go_fields, go_lines


class MeminfoValue(NamedTuple):
    """One field: the number as written, and in bytes (`kB` values times 1024)."""

    value: int
    bytes: int


def parse_meminfo(text: str) -> dict[str, MeminfoValue]:
    """{"MemTotal": MeminfoValue(3742148, 3831959552), "HugePages_Total": ..., ...}.

    Keys are the field names without their colon; a key written without a
    colon never matches a known field in procfs, so it is left out. Every line
    must be `Key: N` or `Key: N kB` (procfs fails the file otherwise); a later
    duplicate replaces an earlier one.
    """
    out: dict[str, MeminfoValue] = {}
    for line in go_lines(text):
        fields = go_fields(line)
        if len(fields) < 2:
            raise ParseError(f"malformed meminfo line {line[:80]!r}")
        value = parse_uint(fields[1], 0)
        if len(fields) == 2:
            in_bytes = value
        elif len(fields) == 3:
            if fields[2] != "kB":
                raise ParseError(f"unsupported unit {fields[2][:20]!r} in meminfo line {line[:80]!r}")
            # Go multiplies in uint64 and wraps; so does this.
            in_bytes = wrap_uint64(value * 1024)
        else:
            raise ParseError(f"malformed meminfo line {line[:80]!r}")
        key = fields[0]
        if key.endswith(":"):
            out[key[:-1]] = MeminfoValue(value, in_bytes)
    return out
