"""/proc/mdstat: software RAID arrays and their sync state (prometheus/procfs MDStat)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_float, parse_int
from pyexporter.golang.strings import go_fields, go_trim_space

# RE2's \d is ASCII only: re.ASCII keeps Unicode digits out, as in procfs.
_STATUS_LINE = re.compile(r"(\d+) blocks .*\[(\d+)/(\d+)\] \[([U_]+)\]", re.ASCII)
_RECOVERY_BLOCKS = re.compile(r"\((\d+/\d+)\)", re.ASCII)
_RECOVERY_PCT = re.compile(r"= (.+)%")
_RECOVERY_FINISH = re.compile(r"finish=(.+)min")
_RECOVERY_SPEED = re.compile(r"speed=(.+)[A-Z]")
_COMPONENT = re.compile(r"(.*)\[(\d+)\](\([SF]+\))?", re.ASCII)
_PERSONALITIES = "Personalities : "


class MDStatComponent(NamedTuple):
    """A member device as the device line lists it: `sdb1[3](F)`."""

    name: str
    #: The member's slot in the superblock.
    descriptor_index: int
    faulty: bool = False
    spare: bool = False


@dataclass(frozen=True, slots=True)
class MDStat:
    name: str
    #: raid1, raid5, linear, ... ("unknown" where the line names no personality the file lists).
    type: str
    #: The state word (active, inactive, ...), or recovering, reshaping, checking or resyncing while one runs.
    activity_state: str
    disks_active: int
    disks_total: int
    disks_failed: int
    disks_down: int
    disks_spare: int
    blocks_total: int
    blocks_synced: int
    blocks_to_be_synced: int
    blocks_synced_pct: float
    blocks_synced_finish_time: float
    blocks_synced_speed: float
    devices: tuple[MDStatComponent, ...]


def _status(device_line: str, status_line: str) -> tuple[int, int, int, int]:
    """(active, total, down, size) from an array's first two lines."""
    status_fields = go_fields(status_line)
    if not status_fields:
        raise ParseError(f"unexpected statusline {status_line[:80]!r}")
    size = parse_int(status_fields[0])
    # raid0 and linear arrays have no [n/m] status: every member listed is active.
    if "raid0" in device_line or "linear" in device_line:
        total = device_line.count("[")
        return total, total, 0, size
    if "inactive" in device_line:
        return 0, 0, 0, size
    match = _STATUS_LINE.search(status_line)
    if match is None:
        raise ParseError(f"could not find all substring matches in {status_line[:80]!r}")
    total = parse_int(match.group(2))
    active = parse_int(match.group(3))
    return active, total, match.group(4).count("_"), size


def _recovery(line: str) -> tuple[int, int, float, float, float]:
    """(synced, to be synced, percent, finish minutes, speed) of a recovery/resync/check line."""
    blocks = _RECOVERY_BLOCKS.search(line)
    if blocks is None:
        raise ParseError(f"unexpected recoveryLine blocks {line[:80]!r}")
    synced_text, to_sync_text = blocks.group(1).split("/")
    synced, to_sync = parse_int(synced_text), parse_int(to_sync_text)
    results: list[float] = []
    for pattern, what in ((_RECOVERY_PCT, "percentage"), (_RECOVERY_FINISH, "est. finish time"),
                          (_RECOVERY_SPEED, "speed")):
        match = pattern.search(line)
        if match is None:
            raise ParseError(f"unexpected recoveryLine matching {what}: {line[:80]!r}")
        raw = go_trim_space(match.group(1)) if pattern is _RECOVERY_PCT else match.group(1)
        results.append(parse_float(raw))
    return synced, to_sync, results[0], results[1], results[2]


def _components(fields: list[str]) -> tuple[MDStatComponent, ...]:
    """procfs's evalComponentDevices: every field holding `name[index]`, with its (F)/(S) flags."""
    out = []
    for field in fields:
        match = _COMPONENT.search(field)
        if match is None:
            continue
        flags = match.group(3) or ""
        out.append(MDStatComponent(match.group(1), parse_int(match.group(2), 10, 32), "(F)" in flags,
                                   "(S)" in flags))
    return tuple(out)


def _is_raid_type(word: str, known: set[str]) -> bool:
    return word in known and "(" not in word and "[" not in word


def parse_mdstat(text: str) -> list[MDStat]:
    """Every array of /proc/mdstat, in file order (procfs's parseMDStat)."""
    out = []
    lines = text.split("\n")
    known_types: set[str] = set()
    for i, line in enumerate(lines):
        if not go_trim_space(line) or line[0] == " " or line.startswith("unused"):
            continue
        # `Personalities : [raid1] [raid6] ...`: the types a device line may name.
        if not known_types and line.startswith(_PERSONALITIES):
            for word in go_fields(line[len(_PERSONALITIES):]):
                if len(word) < 2:
                    # procfs slices word[1:len-1], which panics on a shorter word.
                    raise ParseError(f"malformed personality {word!r}")
                known_types.add(word[1:-1])
            continue
        device_fields = go_fields(line)
        if len(device_fields) < 3:
            raise ParseError(f"expected 3+ fields in md device line, got {line[:80]!r}")
        name = device_fields[0]
        state = device_fields[2]
        md_type, first_device = "unknown", 0
        # The type is the 4th field, or the 5th after a "(auto-read-only)" or similar.
        if len(device_fields) > 3:
            if _is_raid_type(device_fields[3], known_types):
                md_type, first_device = device_fields[3], 4
            elif len(device_fields) > 4 and _is_raid_type(device_fields[4], known_types):
                md_type, first_device = device_fields[4], 5
        if len(lines) <= i + 3:
            raise ParseError(f"too few lines for md device {name!r}")
        failed = line.count("(F)")
        spare = line.count("(S)")
        active, total, down, size = _status(line, lines[i + 1])
        sync_index = i + 3 if "bitmap" in lines[i + 2] else i + 2
        sync_line = lines[sync_index]
        synced = to_sync = size
        pct = finish = speed = 0.0
        recovering = "recovery" in sync_line
        reshaping = "reshape" in sync_line
        resyncing = "resync" in sync_line
        checking = "check" in sync_line
        if recovering or resyncing or checking or reshaping:
            state = ("recovering" if recovering else "reshaping" if reshaping else "checking" if checking
                     else "resyncing")
            # resync=PENDING / resync=DELAYED: nothing synced yet.
            if "PENDING" in sync_line or "DELAYED" in sync_line:
                synced = 0
            else:
                synced, to_sync, pct, finish, speed = _recovery(sync_line)
        out.append(MDStat(name, md_type, state, active, total, failed, down, spare, size, synced, to_sync,
                          pct, finish, speed, _components(device_fields[first_device:])))
    return out
