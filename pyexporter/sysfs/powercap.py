"""/sys/class/powercap: RAPL zone names, as procfs's GetRaplZones reads them."""

from __future__ import annotations

from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_int


@dataclass(frozen=True, slots=True)
class RaplZone:
    name: str
    index: int
    path: str


def index_and_name(counts: dict[str, int], raw_name: str) -> tuple[int, str]:
    """procfs getIndexAndName: "package-0" -> (0, "package"); repeated plain names count up."""
    parts = raw_name.split("-")
    if len(parts) == 2:
        try:
            return parse_int(parts[1]), parts[0]
        except ParseError:
            pass
    return counts.get(raw_name, 0), raw_name
