"""/proc/net/{tcp,udp}{,6}: socket lines summed into queue lengths (prometheus/procfs NetIPSocketSummary)."""

from __future__ import annotations

from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint
from pyexporter.golang.strings import go_fields, go_lines

_MIN_FIELDS = 10


@dataclass(frozen=True, slots=True)
class SocketSummary:
    tx_queue_length: int
    rx_queue_length: int
    used_sockets: int


def _check_address(text: str) -> None:
    """'hexaddr:hexport' with a 4- or 16-byte address, as procfs validates it."""
    parts = text.split(":")
    if len(parts) != 2:
        raise ParseError(f"unable to parse address field {text[:60]!r}")
    address, port = parts
    if len(address) % 2 or len(address) // 2 not in (4, 16):
        raise ParseError(f"unable to parse IP {address[:40]!r}")
    parse_uint(address, 16)
    parse_uint(port, 16)


def _check_line(columns: list[str]) -> tuple[int, int]:
    """Validate one socket line as procfs parses it; (tx_queue, rx_queue)."""
    if len(columns) < _MIN_FIELDS:
        raise ParseError(f"less than {_MIN_FIELDS} columns found: {' '.join(columns)[:80]!r}")
    sl = columns[0].split(":")
    if len(sl) != 2:
        raise ParseError(f"unable to parse sl field {columns[0][:40]!r}")
    parse_uint(sl[0], 0)
    _check_address(columns[1])
    _check_address(columns[2])
    parse_uint(columns[3], 16)
    queues = columns[4].split(":")
    if len(queues) != 2:
        raise ParseError(f"missing colon for tx/rx queues in socket line {columns[4][:40]!r}")
    tx, rx = parse_uint(queues[0], 16), parse_uint(queues[1], 16)
    parse_uint(columns[7], 0)
    parse_uint(columns[9], 0)
    return tx, rx


def parse_socket_summary(text: str) -> SocketSummary:
    """Sum of the tx and rx queues over every socket line; the first line is the header."""
    tx_total = rx_total = used = 0
    for line in go_lines(text)[1:]:
        tx, rx = _check_line(go_fields(line))
        tx_total += tx
        rx_total += rx
        used += 1
    mask = (1 << 64) - 1
    return SocketSummary(tx_total & mask, rx_total & mask, used)
