"""/proc/net/stat/nf_conntrack: per-CPU connection tracking statistics (prometheus/procfs ConntrackStat)."""

from __future__ import annotations

from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint
from pyexporter.golang.strings import go_fields, go_lines


@dataclass(frozen=True, slots=True)
class ConntrackStatEntry:
    entries: int
    searched: int
    found: int
    new: int
    invalid: int
    ignore: int
    delete: int
    delete_list: int
    insert: int
    insert_failed: int
    drop: int
    early_drop: int
    search_restart: int


def parse_conntrack_stat(text: str) -> list[ConntrackStatEntry]:
    """One entry per CPU line; the first line is the header. Values are hexadecimal."""
    out = []
    for line in go_lines(text)[1:]:
        values = [parse_uint(value, 16) for value in go_fields(line)]
        # 16 columns before Linux 2.6.35 (no search_restart), 17 since.
        if len(values) not in (16, 17):
            raise ParseError(f"invalid conntrackstat entry, invalid number of fields: {len(values)}")
        out.append(ConntrackStatEntry(
            *values[:12], search_restart=values[16] if len(values) == 17 else 0))
    return out
