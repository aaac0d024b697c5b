"""The parser for /proc/<pid>/mountstats (NFS client statistics), as prometheus/procfs
parses it: the same lines are accepted and the same ones refused.

The mountstats collector reads the matching mountinfo with `pyexporter.procfs.mountinfo`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint
from pyexporter.golang.strings import go_fields, go_lines

_DEVICE_ENTRY_LEN = 8
_BYTES_LEN = 8
_EVENTS_LEN = 27
_OPERATION_MIN_FIELDS = 9
# xprt field counts after the protocol, by statvers and protocol (rdma: at least).
_TRANSPORT_LEN = {
    ("1.0", "tcp"): 10, ("1.0", "udp"): 7,
    ("1.1", "tcp"): 13, ("1.1", "udp"): 10,
}
_RDMA_MIN_LEN = 20
_RDMA_MAX_LEN = 28
# A Go time.Duration holds at most this many nanoseconds.
_MAX_DURATION_NS = (1 << 63) - 1
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")


@dataclass(slots=True)
class NFSBytes:
    read: int = 0
    write: int = 0
    direct_read: int = 0
    direct_write: int = 0
    read_total: int = 0
    write_total: int = 0
    read_pages: int = 0
    write_pages: int = 0


#: The `events:` counters in kernel order; congestion_wait is parsed but not exposed.
NFS_EVENT_NAMES = (
    "inode_revalidate", "dnode_revalidate", "data_invalidate", "attribute_invalidate", "vfs_open",
    "vfs_lookup", "vfs_access", "vfs_update_page", "vfs_read_page", "vfs_read_pages", "vfs_write_page",
    "vfs_write_pages", "vfs_getdents", "vfs_setattr", "vfs_flush", "vfs_fsync", "vfs_lock",
    "vfs_file_release", "congestion_wait", "truncation", "write_extension", "silly_rename", "short_read",
    "short_write", "jukebox_delay", "pnfs_read", "pnfs_write",
)


@dataclass(frozen=True, slots=True)
class NFSOperation:
    operation: str
    requests: int
    transmissions: int
    major_timeouts: int
    bytes_sent: int
    bytes_received: int
    queue_milliseconds: int
    response_milliseconds: int
    request_milliseconds: int


@dataclass(frozen=True, slots=True)
class NFSTransport:
    """One `xprt:` line; udp lines lack connect counts and idle times (they read 0)."""

    protocol: str
    port: int = 0
    bind: int = 0
    connect: int = 0
    connect_idle_time: int = 0
    idle_time_seconds: int = 0
    sends: int = 0
    receives: int = 0
    bad_transaction_ids: int = 0
    cumulative_active_requests: int = 0
    cumulative_backlog: int = 0
    maximum_rpc_slots_used: int = 0
    cumulative_sending_queue: int = 0
    cumulative_pending_queue: int = 0


@dataclass(slots=True)
class NFSStats:
    stat_version: str
    opts: dict[str, str] = field(default_factory=dict)
    age_seconds: float = 0.0
    bytes: NFSBytes = field(default_factory=NFSBytes)
    events: dict[str, int] = field(default_factory=lambda: dict.fromkeys(NFS_EVENT_NAMES, 0))
    operations: list[NFSOperation] = field(default_factory=list)
    transports: list[NFSTransport] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Mount:
    device: str
    mount_point: str
    fstype: str
    #: Statistics for NFS mounts (`statvers=` on the device line); None for the others.
    stats: NFSStats | None = None


def _uints(values: list[str]) -> list[int]:
    return [parse_uint(value) for value in values]


def _age_seconds(text: str) -> float:
    """time.ParseDuration(text + "s") in seconds: a decimal number of seconds."""
    if not _DECIMAL.fullmatch(text):
        raise ParseError(f"invalid NFS age: {text!r}")
    seconds = float(text)
    nanoseconds = round(abs(seconds) * 1e9)
    if nanoseconds > _MAX_DURATION_NS:
        raise ParseError(f"NFS age out of range: {text!r}")
    return seconds


def _parse_transport(parts: list[str], stat_version: str) -> NFSTransport:
    protocol, values = parts[0], parts[1:]
    if stat_version not in ("1.0", "1.1"):
        raise ParseError(f"unrecognized NFS transport stats version {stat_version!r}")
    if protocol == "rdma" and stat_version == "1.1":
        if not _RDMA_MIN_LEN <= len(values) <= _RDMA_MAX_LEN + 3:
            raise ParseError(f"invalid NFS transport stats 1.1 statement: {values}")
    else:
        expected = _TRANSPORT_LEN.get((stat_version, protocol))
        if expected is None:
            raise ParseError(f"invalid NFS protocol {protocol!r} in stats {stat_version} statement")
        if len(values) != expected:
            raise ParseError(f"invalid NFS transport stats {stat_version} statement: {values}")
    numbers = _uints(values)
    if protocol == "udp":
        # udp has no connect count, connect idle time or idle time.
        numbers = [*numbers[:2], 0, 0, 0, *numbers[2:]]
    elif protocol == "rdma":
        # rdma lines carry no slot or queue counters; its own counters follow.
        numbers = [*numbers[:10], 0, 0, 0]
    numbers += [0] * (13 - len(numbers))
    return NFSTransport(protocol, *numbers[:13])


def _parse_operations(it: Iterator[str]) -> list[NFSOperation]:
    """Per-operation lines up to the next blank line."""
    ops: list[NFSOperation] = []
    for line in it:
        parts = go_fields(line)
        if not parts:
            break
        if len(parts) < _OPERATION_MIN_FIELDS:
            raise ParseError(f"invalid NFS per-operations stats: {parts}")
        numbers = _uints(parts[1:])
        ops.append(NFSOperation(parts[0].removesuffix(":"), *numbers[:8]))
    return ops


def _parse_nfs_stats(it: Iterator[str], stat_version: str) -> NFSStats:
    stats = NFSStats(stat_version)
    for line in it:
        parts = go_fields(line)
        if not parts:
            break
        key = parts[0]
        if key in ("opts:", "age:", "bytes:", "events:") and len(parts) < 2:
            raise ParseError(f"incomplete information for NFS stats: {parts}")
        if key == "opts:":
            for opt in parts[1].split(","):
                kv = opt.split("=")
                if len(kv) == 2:
                    stats.opts[kv[0]] = kv[1]
                else:
                    stats.opts[opt] = ""
        elif key == "age:":
            stats.age_seconds = _age_seconds(parts[1])
        elif key == "bytes:":
            if len(parts) - 1 != _BYTES_LEN:
                raise ParseError(f"invalid NFS bytes stats: {parts[1:]}")
            stats.bytes = NFSBytes(*_uints(parts[1:]))
        elif key == "events:":
            if len(parts) - 1 != _EVENTS_LEN:
                raise ParseError(f"invalid NFS events stats: {parts[1:]}")
            stats.events = dict(zip(NFS_EVENT_NAMES, _uints(parts[1:]), strict=True))
        elif key == "xprt:":
            if len(parts) < 3:
                raise ParseError(f"incomplete information for NFS transport stats: {parts}")
            stats.transports.append(_parse_transport(parts[1:], stat_version))
        if key == "per-op":
            break
    # As procfs: whatever follows (up to a blank line) is read as per-operation lines.
    stats.operations = _parse_operations(it)
    return stats


def parse_mountstats(text: str) -> list[Mount]:
    """Every `device X mounted on Y with fstype T [statvers=V]` entry, NFS ones with statistics."""
    mounts: list[Mount] = []
    it = iter(go_lines(text))
    for line in it:
        parts = go_fields(line)
        if not parts or parts[0] != "device":
            continue
        if len(parts) < _DEVICE_ENTRY_LEN or (parts[2], parts[3], parts[5], parts[6]) != (
            "mounted", "on", "with", "fstype"
        ):
            raise ParseError(f"invalid device entry: {parts}")
        stats = None
        if len(parts) > _DEVICE_ENTRY_LEN:
            if parts[7] not in ("nfs", "nfs4"):
                raise ParseError(f"cannot parse mount statistics for {parts[7]!r}")
            stats = _parse_nfs_stats(it, parts[8].removeprefix("statvers="))
        mounts.append(Mount(parts[1], parts[4], parts[7], stats))
    return mounts

