"""/proc/net/dev: per-interface receive and transmit counters (prometheus/procfs NetDev)."""

from __future__ import annotations

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint
from pyexporter.golang.strings import go_fields, go_lines, go_trim_space

#: The 16 counters of a /proc/net/dev line, in column order, named as node_exporter
#: names them before its legacy renaming (receive_errors, not receive_errs).
NET_DEV_FIELDS = (
    "receive_bytes", "receive_packets", "receive_errors", "receive_dropped", "receive_fifo",
    "receive_frame", "receive_compressed", "receive_multicast",
    "transmit_bytes", "transmit_packets", "transmit_errors", "transmit_dropped", "transmit_fifo",
    "transmit_colls", "transmit_carrier", "transmit_compressed",
)


def parse_net_dev(text: str) -> dict[str, dict[str, int]]:
    """Counters by interface name; the two header lines are skipped, any other bad line is an error."""
    out: dict[str, dict[str, int]] = {}
    for line in go_lines(text)[2:]:
        # The name ends at the last colon: interface names may themselves hold colons (aliases).
        idx = line.rfind(":")
        if idx == -1:
            raise ParseError(f"invalid /proc/net/dev line, missing colon: {line[:80]!r}")
        name = go_trim_space(line[:idx])
        if not name:
            raise ParseError("invalid /proc/net/dev line, empty interface name")
        values = go_fields(line[idx + 1:])
        if len(values) < len(NET_DEV_FIELDS):
            raise ParseError(f"/proc/net/dev line for {name!r} has {len(values)} fields, expected 16")
        out[name] = {key: parse_uint(value) for key, value in zip(NET_DEV_FIELDS, values, strict=False)}
    return out
