"""/proc/net/arp: the IPv4 neighbour table (prometheus/procfs GatherARPEntries)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint
from pyexporter.golang.strings import go_fields

_HEADER_WIDTH = 9
_DATA_WIDTH = 6

#: The layouts Go's net.ParseMAC accepts: 6, 8 or 20 bytes as xx:xx.., xx-xx.. or xxxx.xxxx...
_MAC = re.compile(
    r"(?:[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5,19}|[0-9a-fA-F]{2}(?:-[0-9a-fA-F]{2}){5,19}"
    r"|[0-9a-fA-F]{4}(?:\.[0-9a-fA-F]{4}){2,9})"
)
_MAC_BYTES = frozenset({6, 8, 20})


@dataclass(frozen=True, slots=True)
class ARPEntry:
    ip_address: str
    hw_address: str
    flags: int
    device: str


def _valid_mac(text: str) -> bool:
    if not _MAC.fullmatch(text):
        return False
    digits = len(text) - text.count(":") - text.count("-") - text.count(".")
    return digits // 2 in _MAC_BYTES


def parse_arp(text: str) -> list[ARPEntry]:
    """Every entry; the header (9 columns) and blank lines are skipped, any other width is an error."""
    entries = []
    for line in text.split("\n"):
        columns = go_fields(line)
        if len(columns) in (0, _HEADER_WIDTH):
            continue
        if len(columns) != _DATA_WIDTH:
            raise ParseError(f"/proc/net/arp: {len(columns)} columns found, but expected {_DATA_WIDTH}")
        if not _valid_mac(columns[3]):
            raise ParseError(f"/proc/net/arp: invalid hardware address {columns[3][:40]!r}")
        flags = parse_uint(columns[2], 0, 8)
        entries.append(ARPEntry(columns[0], columns[3], flags, columns[5]))
    return entries
