"""/proc/buddyinfo: free pages per order, per node and zone."""

from __future__ import annotations

from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_float
from pyexporter.golang.strings import go_fields, go_lines


@dataclass(frozen=True, slots=True)
class BuddyInfo:
    node: str
    zone: str
    sizes: tuple[float, ...]


def parse_buddyinfo(text: str) -> list[BuddyInfo]:
    """`Node 0, zone DMA 1 0 ...` lines; every line must have the same number of orders."""
    out: list[BuddyInfo] = []
    bucket_count = -1
    for line in go_lines(text):
        parts = go_fields(line)
        # procfs refuses any line (even an empty one) without node and zone.
        if len(parts) < 4:
            raise ParseError(f"buddyinfo: invalid number of fields: {line[:80]!r}")
        node = parts[1].rstrip(",")
        zone = parts[3].rstrip(",")
        counts = parts[4:]
        if bucket_count == -1:
            bucket_count = len(counts)
        elif bucket_count != len(counts):
            raise ParseError(
                f"buddyinfo: mismatch in number of buckets, previous {bucket_count}, new {len(counts)}"
            )
        out.append(BuddyInfo(node, zone, tuple(parse_float(count) for count in counts)))
    return out
