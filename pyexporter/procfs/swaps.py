"""/proc/swaps: the active swap areas."""

from __future__ import annotations

from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_int
from pyexporter.golang.strings import go_fields, go_lines


@dataclass(frozen=True, slots=True)
class Swap:
    filename: str
    type: str
    size_kib: int
    used_kib: int
    priority: int


def parse_swaps(text: str) -> list[Swap]:
    """`Filename Type Size Used Priority` rows after the header line; sizes are in KiB."""
    out: list[Swap] = []
    for line in go_lines(text)[1:]:
        parts = go_fields(line)
        if len(parts) < 5:
            raise ParseError(f"swaps: too few fields in {line[:80]!r}")
        out.append(Swap(parts[0], parts[1], parse_int(parts[2]), parse_int(parts[3]), parse_int(parts[4])))
    return out
