"""/proc/net/{tcp,udp}{,6}: socket lines and their sums (procfs's NetIPSocket, NetIPSocketSummary)."""

from __future__ import annotations

import ipaddress
import re
from typing import NamedTuple

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint
from pyexporter.golang.strings import go_fields, go_lines

_MIN_FIELDS = 10
#: The drops column of the udp files (the 13th).
_DROPS_FIELD = 12
#: hex.DecodeString's alphabet.
_HEX = re.compile(r"[0-9a-fA-F]*")
_UINT64_MASK = (1 << 64) - 1

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class SocketLine(NamedTuple):
    """One socket line (procfs's netIPSocketLine)."""

    sl: int
    local_address: IPAddress
    local_port: int
    remote_address: IPAddress
    remote_port: int
    state: int
    tx_queue: int
    rx_queue: int
    uid: int
    inode: int
    #: Packets dropped: the udp files only.
    drops: int | None = None


class SocketSummary(NamedTuple):
    tx_queue_length: int
    rx_queue_length: int
    used_sockets: int
    #: The sum of the drops column: the udp files only.
    drops: int | None = None


def parse_socket_ip(text: str) -> IPAddress:
    """procfs's parseIP: hex bytes, an IPv4 address in host order or an IPv6 one as four host-order words.

    Decoded as bytes, not as one number: an IPv6 address does not fit a uint64.
    """
    if len(text) % 2 or not _HEX.fullmatch(text):
        raise ParseError(f"cannot parse socket field {text[:40]!r}")
    raw = bytes.fromhex(text)
    if len(raw) == 4:
        return ipaddress.IPv4Address(raw[::-1])
    if len(raw) == 16:
        return ipaddress.IPv6Address(b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4)))
    raise ParseError(f"unable to parse IP {text[:40]!r}")


def _address(text: str, what: str) -> tuple[IPAddress, int]:
    parts = text.split(":")
    if len(parts) != 2:
        raise ParseError(f"unable to parse {what} field {text[:60]!r}")
    return parse_socket_ip(parts[0]), parse_uint(parts[1], 16)


def parse_socket_line(fields: list[str], *, udp: bool = False) -> SocketLine:
    """The fields of one socket line, checked as procfs's parseNetIPSocketLine checks them."""
    if len(fields) < _MIN_FIELDS:
        raise ParseError(f"less than {_MIN_FIELDS} columns found: {' '.join(fields)[:80]!r}")
    sl = fields[0].split(":")
    if len(sl) != 2:
        raise ParseError(f"unable to parse sl field {fields[0][:40]!r}")
    local_address, local_port = _address(fields[1], "local_address")
    remote_address, remote_port = _address(fields[2], "rem_address")
    state = parse_uint(fields[3], 16)
    queues = fields[4].split(":")
    if len(queues) != 2:
        raise ParseError(f"missing colon for tx/rx queues in socket line {fields[4][:40]!r}")
    drops = None
    if udp:
        # procfs indexes the drops column without checking it is there: a shorter udp line makes
        # Go panic, which fails the scrape; here it fails the file.
        if len(fields) <= _DROPS_FIELD:
            raise ParseError(f"no drops column in udp socket line {' '.join(fields)[:80]!r}")
        drops = parse_uint(fields[_DROPS_FIELD], 0)
    return SocketLine(parse_uint(sl[0], 0), local_address, local_port, remote_address, remote_port, state,
                      parse_uint(queues[0], 16), parse_uint(queues[1], 16), parse_uint(fields[7], 0),
                      parse_uint(fields[9], 0), drops)


def parse_socket_lines(text: str, *, udp: bool = False) -> list[SocketLine]:
    """Every socket line of a file; the first line is the header."""
    return [parse_socket_line(go_fields(line), udp=udp) for line in go_lines(text)[1:]]


def parse_socket_summary(text: str, *, udp: bool = False) -> SocketSummary:
    """Sums over every socket line (uint64 sums wrap as in Go); `udp` also sums the drops column."""
    tx_total = rx_total = used = 0
    drops: int | None = None
    for line in parse_socket_lines(text, udp=udp):
        tx_total += line.tx_queue
        rx_total += line.rx_queue
        used += 1
        if line.drops is not None:
            drops = ((drops or 0) + line.drops) & _UINT64_MASK
    return SocketSummary(tx_total & _UINT64_MASK, rx_total & _UINT64_MASK, used, drops)
