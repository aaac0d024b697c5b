"""/sys/fs/btrfs/<uuid>: allocation, commit_stats and device sizes, as procfs's btrfs.Stats reads them.

The values are parsed by pure functions; read_btrfs_stats reads one filesystem's directory through the
file layer, as sysfs/attrs.py reads attributes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from pyexporter import fs
from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint
from pyexporter.golang.strings import go_fields, go_lines
from pyexporter.sysfs.attrs import read_parsed, read_uint, read_value, valid_utf8

#: Linux counts block device sizes in 512-byte sectors whatever the hardware.
SECTOR_SIZE = 512


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
    for line in go_lines(text):
        parts = go_fields(line)
        if len(parts) != 2:
            raise ParseError(f"btrfs: invalid commit_stats line {line[:60]!r}")
        out[parts[0]] = parse_uint(parts[1])
    return out


@dataclass(slots=True)
class LayoutUsage:
    total_bytes: int = 0
    used_bytes: int = 0
    ratio: float = 0.0


@dataclass(slots=True)
class AllocationStats:
    reserved_bytes: int = 0
    layouts: dict[str, LayoutUsage] = field(default_factory=dict)


@dataclass(slots=True)
class BtrfsStats:
    uuid: str
    label: str = ""
    global_rsv_size: int = 0
    commits: int = 0
    last_commit_ms: int = 0
    max_commit_ms: int = 0
    total_commit_ms: int = 0
    allocation: dict[str, AllocationStats] = field(default_factory=dict)
    device_sizes: dict[str, int] = field(default_factory=dict)


def _read(path: str) -> str:
    return valid_utf8(read_value(path, None) or "")


def _read_value(path: str) -> int:
    # procfs ignores values that are no number: they read as 0.
    return read_uint(path) or 0


def read_btrfs_stats(path: str, name: str) -> BtrfsStats:
    """One /sys/fs/btrfs/<uuid> directory."""
    devices_dir = os.path.join(path, "devices")
    devices = {}
    for dev in fs.list_dir(devices_dir):
        # Entries are links to the member block devices; a broken one reads as size 0.
        dev_dir = fs.resolve_dir(os.path.join(devices_dir, dev))
        devices[dev] = SECTOR_SIZE * _read_value(os.path.join(dev_dir, "size")) if dev_dir else 0
    stats = BtrfsStats(uuid=_read(os.path.join(path, "metadata_uuid")) or name,
                       label=_read(os.path.join(path, "label")), device_sizes=devices)
    allocation = os.path.join(path, "allocation")
    stats.global_rsv_size = _read_value(os.path.join(allocation, "global_rsv_size"))
    for group in ("data", "metadata", "system"):
        group_dir = os.path.join(allocation, group)
        if not fs.is_dir(group_dir):
            continue
        alloc = AllocationStats(reserved_bytes=_read_value(os.path.join(group_dir, "bytes_reserved")))
        for entry in fs.scan_dir(group_dir):
            if entry.is_dir(follow_symlinks=False):
                layout_dir = os.path.join(group_dir, entry.name)
                alloc.layouts[entry.name] = LayoutUsage(
                    total_bytes=_read_value(os.path.join(layout_dir, "total_bytes")),
                    used_bytes=_read_value(os.path.join(layout_dir, "used_bytes")),
                    ratio=layout_ratio(entry.name, len(devices)))
        stats.allocation[group] = alloc
    # Absent before Linux 6.0: the commit series then read 0, as in node_exporter.
    commit = read_parsed(os.path.join(path, "commit_stats"), parse_commit_stats)
    if commit is not None:
        stats.commits = commit.get("commits", 0)
        stats.last_commit_ms = commit.get("last_commit_ms", 0)
        stats.max_commit_ms = commit.get("max_commit_ms", 0)
        stats.total_commit_ms = commit.get("total_commit_ms", 0)
    return stats
