"""/proc/net/rpc/nfs (NFS client) and /proc/net/rpc/nfsd (NFS server) statistics.

Line by line as prometheus/procfs parses them: a line names its record
("net", "rpc", "proc3", ...) followed by unsigned decimal counters; the procN
records start with the number of counters that follow. A record missing from
the file reads as zeros (the kernel prints only what it was built with); a
record node_exporter does not know, a malformed number or a wrong counter
count makes the whole file unparsable, as it does for node_exporter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint
from pyexporter.golang.strings import go_fields, go_lines

#: proc2: the NFSv2 procedures in the kernel's order.
V2_PROCEDURES = (
    "Null", "GetAttr", "SetAttr", "Root", "Lookup", "ReadLink", "Read", "WrCache", "Write",
    "Create", "Remove", "Rename", "Link", "SymLink", "MkDir", "RmDir", "ReadDir", "FsStat",
)
#: proc3: the NFSv3 procedures in the kernel's order.
V3_PROCEDURES = (
    "Null", "GetAttr", "SetAttr", "Lookup", "Access", "ReadLink", "Read", "Write", "Create",
    "MkDir", "SymLink", "MkNod", "Remove", "RmDir", "Rename", "Link", "ReadDir", "ReadDirPlus",
    "FsStat", "FsInfo", "PathConf", "Commit",
)
#: The client's proc4 counters procfs knows, by position. GetDeviceInfo comes
#: before LayoutGet here although the kernel prints LAYOUTGET first: procfs
#: maps them this way and node_exporter's labels follow procfs.
CLIENT_V4_PROCEDURES = (
    "Null", "Read", "Write", "Commit", "Open", "OpenConfirm", "OpenNoattr", "OpenDowngrade",
    "Close", "Setattr", "FsInfo", "Renew", "SetClientID", "SetClientIDConfirm", "Lock", "Lockt",
    "Locku", "Access", "Getattr", "Lookup", "LookupRoot", "Remove", "Rename", "Link", "Symlink",
    "Create", "Pathconf", "StatFs", "ReadLink", "ReadDir", "ServerCaps", "DelegReturn", "GetACL",
    "SetACL", "FsLocations", "ReleaseLockowner", "Secinfo", "FsidPresent", "ExchangeID",
    "CreateSession", "DestroySession", "Sequence", "GetLeaseTime", "ReclaimComplete",
    "GetDeviceInfo", "LayoutGet", "LayoutCommit", "LayoutReturn", "SecinfoNoName", "TestStateID",
    "FreeStateID", "GetDeviceList", "BindConnToSession", "DestroyClientID", "Seek", "Allocate",
    "DeAllocate", "LayoutStats", "Clone",
)
#: The server's proc4ops counters procfs knows, by operation number (0-39).
SERVER_V4_OPERATIONS = (
    "Op0Unused", "Op1Unused", "Op2Future", "Access", "Close", "Commit", "Create", "DelegPurge",
    "DelegReturn", "GetAttr", "GetFH", "Link", "Lock", "Lockt", "Locku", "Lookup", "LookupRoot",
    "Nverify", "Open", "OpenAttr", "OpenConfirm", "OpenDgrd", "PutFH", "PutPubFH", "PutRootFH",
    "Read", "ReadDir", "ReadLink", "Remove", "Rename", "Renew", "RestoreFH", "SaveFH", "SecInfo",
    "SetAttr", "SetClientID", "SetClientIDConfirm", "Verify", "Write", "RelLockOwner",
)
#: NFSv4.0 servers print 39 operations; RelLockOwner (operation 39) came with v4.1.
_MIN_SERVER_V4_OPERATIONS = 39


def _zeros(names: tuple[str, ...]) -> dict[str, int]:
    return dict.fromkeys(names, 0)


@dataclass(frozen=True, slots=True)
class Network:
    net_count: int = 0
    udp_count: int = 0
    tcp_count: int = 0
    tcp_connect: int = 0


@dataclass(frozen=True, slots=True)
class ClientRPC:
    rpc_count: int = 0
    retransmissions: int = 0
    auth_refreshes: int = 0


@dataclass(frozen=True, slots=True)
class ServerRPC:
    rpc_count: int = 0
    bad_count: int = 0
    bad_format: int = 0
    bad_auth: int = 0
    bad_client: int = 0


@dataclass(frozen=True, slots=True)
class ReplyCache:
    hits: int = 0
    misses: int = 0
    no_cache: int = 0


@dataclass(frozen=True, slots=True)
class FileHandles:
    stale: int = 0
    total_lookups: int = 0
    anon_lookups: int = 0
    dir_no_cache: int = 0
    no_dir_no_cache: int = 0


@dataclass(frozen=True, slots=True)
class InputOutput:
    read: int = 0
    write: int = 0


@dataclass(frozen=True, slots=True)
class Threads:
    threads: int = 0
    full_count: int = 0


@dataclass(frozen=True, slots=True)
class ReadAheadCache:
    cache_size: int = 0
    histogram: tuple[int, ...] = ()
    not_found: int = 0


@dataclass(slots=True)
class ClientRPCStats:
    """/proc/net/rpc/nfs."""

    network: Network = field(default_factory=Network)
    client_rpc: ClientRPC = field(default_factory=ClientRPC)
    v2: dict[str, int] = field(default_factory=lambda: _zeros(V2_PROCEDURES))
    v3: dict[str, int] = field(default_factory=lambda: _zeros(V3_PROCEDURES))
    v4: dict[str, int] = field(default_factory=lambda: _zeros(CLIENT_V4_PROCEDURES))


@dataclass(slots=True)
class ServerRPCStats:
    """/proc/net/rpc/nfsd."""

    reply_cache: ReplyCache = field(default_factory=ReplyCache)
    file_handles: FileHandles = field(default_factory=FileHandles)
    input_output: InputOutput = field(default_factory=InputOutput)
    threads: Threads = field(default_factory=Threads)
    read_ahead_cache: ReadAheadCache = field(default_factory=ReadAheadCache)
    network: Network = field(default_factory=Network)
    server_rpc: ServerRPC = field(default_factory=ServerRPC)
    v2: dict[str, int] = field(default_factory=lambda: _zeros(V2_PROCEDURES))
    v3: dict[str, int] = field(default_factory=lambda: _zeros(V3_PROCEDURES))
    v4_null: int = 0
    v4_compound: int = 0
    v4_ops: dict[str, int] = field(default_factory=lambda: _zeros(SERVER_V4_OPERATIONS))
    wdeleg_getattr: int = 0


def _exactly(name: str, values: list[int], count: int) -> list[int]:
    if len(values) != count:
        raise ParseError(f"invalid {name} line: {len(values)} values, {count} expected")
    return values


def _counted(name: str, values: list[int], minimum: int) -> list[int]:
    """The counters of a procN line, whose first value is their number."""
    declared = values[0]
    if declared != len(values) - 1 or declared < minimum:
        raise ParseError(f"invalid {name} line: {declared} declared, {len(values) - 1} present")
    return values[1:]


def _split_record(line: str) -> tuple[str, list[str]]:
    parts = go_fields(line)
    if len(parts) < 2:
        raise ParseError(f"invalid NFS metric line {line[:80]!r}")
    return parts[0], parts[1:]


def _parse_values(texts: list[str]) -> list[int]:
    return [parse_uint(text) for text in texts]


def _network(values: list[int]) -> Network:
    return Network(*_exactly("net", values, 4))


def _procedures(names: tuple[str, ...], counters: list[int]) -> dict[str, int]:
    # Kernels newer than procfs print more counters; procfs keeps the ones it knows.
    return dict(zip(names, counters, strict=False))


def parse_client_rpc_stats(text: str) -> ClientRPCStats:
    """/proc/net/rpc/nfs as procfs' ParseClientRPCStats reads it."""
    stats = ClientRPCStats()
    for line in go_lines(text):
        key, rest = _split_record(line)
        values = _parse_values(rest)
        if key == "net":
            stats.network = _network(values)
        elif key == "rpc":
            stats.client_rpc = ClientRPC(*_exactly("rpc", values, 3))
        elif key == "proc2":
            stats.v2 = _procedures(V2_PROCEDURES, _counted(key, values, len(V2_PROCEDURES)))
        elif key == "proc3":
            stats.v3 = _procedures(V3_PROCEDURES, _counted(key, values, len(V3_PROCEDURES)))
        elif key == "proc4":
            # Older kernels print fewer NFSv4 procedures; the missing ones read as zero.
            counters = _counted(key, values, 0)
            padded = counters + [0] * (len(CLIENT_V4_PROCEDURES) - len(counters))
            stats.v4 = _procedures(CLIENT_V4_PROCEDURES, padded)
        else:
            raise ParseError(f"unknown NFS metric line {key[:40]!r}")
    return stats


def parse_server_rpc_stats(text: str) -> ServerRPCStats:
    """/proc/net/rpc/nfsd as procfs' ParseServerRPCStats reads it."""
    stats = ServerRPCStats()
    for line in go_lines(text):
        key, rest = _split_record(line)
        if key == "th":
            # th: thread count, pool-full count, then a deprecated histogram of floats.
            if len(rest) < 2:
                raise ParseError(f"invalid NFSd th metric line {line[:80]!r}")
            values = _parse_values(rest[:2])
        else:
            values = _parse_values(rest)
        if key == "rc":
            stats.reply_cache = ReplyCache(*_exactly(key, values, 3))
        elif key == "fh":
            stats.file_handles = FileHandles(*_exactly(key, values, 5))
        elif key == "io":
            stats.input_output = InputOutput(*_exactly(key, values, 2))
        elif key == "th":
            stats.threads = Threads(*values)
        elif key == "ra":
            _exactly(key, values, 12)
            stats.read_ahead_cache = ReadAheadCache(values[0], tuple(values[1:11]), values[11])
        elif key == "net":
            stats.network = _network(values)
        elif key == "rpc":
            stats.server_rpc = ServerRPC(*_exactly(key, values, 5))
        elif key == "proc2":
            stats.v2 = _procedures(V2_PROCEDURES, _counted(key, values, len(V2_PROCEDURES)))
        elif key == "proc3":
            stats.v3 = _procedures(V3_PROCEDURES, _counted(key, values, len(V3_PROCEDURES)))
        elif key == "proc4":
            stats.v4_null, stats.v4_compound = _exactly(key, _counted(key, values, 2), 2)
        elif key == "proc4ops":
            counters = _counted(key, values, _MIN_SERVER_V4_OPERATIONS)
            padded = counters + [0] * (len(SERVER_V4_OPERATIONS) - len(counters))
            stats.v4_ops = _procedures(SERVER_V4_OPERATIONS, padded)
        elif key == "wdeleg_getattr":
            # Since Linux 6.6: write delegations recalled because of a GETATTR conflict.
            stats.wdeleg_getattr = values[0]
        else:
            raise ParseError(f"unknown NFSd metric line {key[:40]!r}")
    return stats
