"""/sys/block/md*/md: an md array's attributes, as prometheus/procfs's Mdraids reads them.

The values are parsed by pure functions; read_mdraid reads one array's directory through the file
layer, as sysfs/attrs.py reads attributes.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import NamedTuple

from pyexporter.errors import ParseError
from pyexporter.fs import list_dir
from pyexporter.golang.strconv import parse_uint
from pyexporter.golang.strings import go_trim_space
from pyexporter.sysfs.attrs import SYSREAD_BYTES, read_value

#: Levels whose raid_disks procfs does not read: containers (and an empty level) have no disk count.
NO_DISK_COUNT_LEVELS = frozenset({"container", "imsm", "ddf", ""})
#: Levels with a chunk_size procfs reads.
CHUNKED_LEVELS = frozenset({"raid0", "raid4", "raid5", "raid6", "raid10"})
#: Levels with the degraded, sync_action and sync_completed procfs reads.
REDUNDANT_LEVELS = frozenset({"raid1", "raid4", "raid5", "raid6", "raid10"})

#: fmt.Sscanf("%d / %d"): blanks around the slash are optional, anything after the total is ignored.
_SYNC_COMPLETED = re.compile(r"([0-9]+)\s*/\s*([0-9]+)")


class MdraidComponent(NamedTuple):
    device: str
    state: str


@dataclass(frozen=True, slots=True)
class Mdraid:
    device: str
    level: str
    array_state: str
    metadata_version: str
    #: Devices in the fully functional array; None for containers and where raid_disks says nothing.
    disks: int | None
    components: tuple[MdraidComponent, ...]
    uuid: str
    #: raid0, 4, 5, 6 and 10 only.
    chunk_size: int = 0
    #: raid1, 4, 5, 6 and 10 only.
    degraded_disks: int = 0
    sync_action: str = ""
    #: The fraction of the current sync done; 0 when none runs.
    sync_completed: float = 0.0


def parse_raid_disks(text: str) -> int | None:
    """raid_disks: a count, "current (previous)" during a reshape ("11 (10)" is 11), or nothing.

    procfs never fails on this file: an empty one (an inactive array) or one it
    cannot read leaves the count unknown.
    """
    content = go_trim_space(text)
    try:
        return parse_uint(content)
    except ParseError:
        pass
    space = content.find(" ")
    if space > 0:
        try:
            return parse_uint(content[:space])
        except ParseError:
            pass
    return None


def parse_sync_completed(text: str) -> float:
    """sync_completed: "none", or "done / total" sectors as a fraction (Go's float division)."""
    if text == "none":
        return 0.0
    match = _SYNC_COMPLETED.match(text)
    if match is None:
        raise ParseError(f"sync_completed: unexpected value {text[:40]!r}")
    done, total = float(parse_uint(match.group(1))), float(parse_uint(match.group(2)))
    if total == 0:
        # IEEE division, as float64(a) / float64(b) in Go.
        return float("nan") if done == 0 else float("inf")
    return done / total


class MissingAttribute(Exception):
    """An attribute procfs must find is absent (or refused): node_exporter then has no data."""


def _attr(path: str, limit: int | None = SYSREAD_BYTES) -> str:
    """An attribute procfs must find: SysReadFile's first 128 bytes (None: the whole file), trimmed."""
    value = read_value(path, limit)
    if value is None:
        raise MissingAttribute(path)
    return value


def read_mdraid(md_dir: str, device: str) -> Mdraid:
    """One array's md/ directory (through the file layer), read as procfs reads it: every attribute
    it reads must be there.

    Raises MissingAttribute or ParseError; node_exporter fails the collector on either.
    """
    level = _attr(os.path.join(md_dir, "level"))
    array_state = _attr(os.path.join(md_dir, "array_state"))
    metadata_version = _attr(os.path.join(md_dir, "metadata_version"))
    disks = None
    if level not in NO_DISK_COUNT_LEVELS:
        disks = parse_raid_disks(_attr(os.path.join(md_dir, "raid_disks"), None))
    uuid = _attr(os.path.join(md_dir, "uuid"))
    components = tuple(
        MdraidComponent(entry.removeprefix("dev-"), _attr(os.path.join(md_dir, entry, "state")))
        for entry in list_dir(md_dir) if entry.startswith("dev-"))
    chunk_size = parse_uint(_attr(os.path.join(md_dir, "chunk_size"), None)) if level in CHUNKED_LEVELS else 0
    degraded, sync_action, sync_completed = 0, "", 0.0
    if level in REDUNDANT_LEVELS:
        degraded = parse_uint(_attr(os.path.join(md_dir, "degraded"), None))
        sync_action = _attr(os.path.join(md_dir, "sync_action"))
        sync_completed = parse_sync_completed(_attr(os.path.join(md_dir, "sync_completed")))
    return Mdraid(device, level, array_state, metadata_version, disks, components, uuid, chunk_size, degraded,
                  sync_action, sync_completed)
