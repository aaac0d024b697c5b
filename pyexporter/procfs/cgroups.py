"""/proc/cgroups: the cgroup v1 controllers and their hierarchies."""

from __future__ import annotations

from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_int
from pyexporter.golang.strings import go_fields, go_lines


@dataclass(frozen=True, slots=True)
class CgroupSummary:
    subsys_name: str
    hierarchy: int
    cgroups: int
    enabled: int


def parse_cgroups(text: str) -> list[CgroupSummary]:
    """`subsys_name hierarchy num_cgroups enabled` lines; `#` lines are the header."""
    out: list[CgroupSummary] = []
    for line in go_lines(text):
        if line.startswith("#"):
            continue
        parts = go_fields(line)
        if len(parts) < 4:
            raise ParseError(f"cgroups: 4+ fields required, found {len(parts)}: {line[:80]!r}")
        out.append(CgroupSummary(parts[0], parse_int(parts[1]), parse_int(parts[2]), parse_int(parts[3])))
    return out
