"""/sys/fs/btrfs/<uuid>: commit_stats, and a block group profile's raw-to-logical ratio."""

from __future__ import annotations

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint


def layout_ratio(layout: str, devices: int) -> float:
    """Bytes on disk per byte stored for a block group profile, as procfs estimates it."""
    if layout in ("single", "raid0"):
        return 1.0
    if layout in ("dup", "raid1", "raid10"):
        return 2.0
    parity = {"raid5": 1, "raid6": 2}.get(layout)
    if parity is None:
        return 0.0
    # IEEE division as in Go: a filesystem with exactly `parity` devices gives +Inf.
    denominator = float(devices - parity)
    if denominator == 0:
        return float("inf")
    return devices / denominator


def parse_commit_stats(text: str) -> dict[str, int]:
    """commit_stats ("commits 258051" per line) as {key: value}; every line must be "<key> <uint>"."""
    out: dict[str, int] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 2:
            raise ParseError(f"btrfs: invalid commit_stats line {line[:60]!r}")
        out[parts[0]] = parse_uint(parts[1])
    return out
