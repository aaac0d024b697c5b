"""/proc/net/sockstat and sockstat6: sockets in use per protocol (prometheus/procfs NetSockstat)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_int
from pyexporter.golang.strings import go_lines

#: The per-protocol keys procfs keeps; other keys are read (and must be numbers) but dropped.
PROTOCOL_KEYS = ("inuse", "orphan", "tw", "alloc", "mem", "memory")


@dataclass(slots=True)
class SockstatProtocol:
    protocol: str
    #: inuse is always set (0 when the line has none); the other keys only when present.
    values: dict[str, int]


@dataclass(slots=True)
class Sockstat:
    #: 'sockets: used N'; None when the file has no such line (sockstat6).
    used: int | None = None
    protocols: list[SockstatProtocol] = field(default_factory=list)


def parse_sockstat(text: str) -> Sockstat:
    """Lines 'PROTO: key value key value ...', split on single spaces as procfs splits them."""
    stat = Sockstat()
    for line in go_lines(text):
        parts = line.split(" ")
        # A protocol and at least one key/value pair.
        if len(parts) < 3:
            raise ParseError(f"malformed sockstat line: {line[:80]!r}")
        pairs = parts[1:]
        if len(pairs) % 2:
            raise ParseError(f"odd number of fields in key/value pairs: {line[:80]!r}")
        kvs = {pairs[i]: parse_int(pairs[i + 1], 0) for i in range(0, len(pairs), 2)}
        protocol = parts[0].removesuffix(":")
        if protocol == "sockets":
            stat.used = kvs.get("used", 0)
            continue
        values = {"inuse": kvs.get("inuse", 0)}
        values.update((key, kvs[key]) for key in PROTOCOL_KEYS[1:] if key in kvs)
        stat.protocols.append(SockstatProtocol(protocol, values))
    return stat
