"""A minimal rtnetlink client: dumps of links (with statistics), neighbours and addresses.

node_exporter reads network device statistics, ARP entries and interface
addresses over rtnetlink by default (`--collector.netdev.netlink`,
`--collector.arp.netlink`, `--collector.netdev.address-info`). Like it, these
dumps describe the network namespace pyexporter runs in, not a --path.procfs
tree. The parsers are pure functions over bytes and raise ParseError only;
`dump()` does the socket work and raises OSError when the kernel refuses.
"""

from __future__ import annotations

import os
import socket
import struct
from collections.abc import Iterator
from dataclasses import dataclass

from pyexporter.errors import ParseError

NLMSG_NOOP = 1
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLMSG_OVERRUN = 4

NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_DUMP = 0x300

RTM_NEWLINK = 16
RTM_GETLINK = 18
RTM_NEWADDR = 20
RTM_GETADDR = 22
RTM_NEWNEIGH = 28
RTM_GETNEIGH = 30

IFLA_IFNAME = 3
IFLA_STATS = 7
IFLA_STATS64 = 23

IFA_ADDRESS = 1
IFA_LOCAL = 2

NDA_DST = 1

NUD_NOARP = 0x40

#: The type bits of an attribute header (NLA_TYPE_MASK): the two top bits flag nesting/byte order.
_NLA_TYPE_MASK = 0x3FFF

_NLMSGHDR = struct.Struct("=IHHII")
_RTATTR = struct.Struct("=HH")
_IFINFOMSG = struct.Struct("=BxHiII")
_IFADDRMSG = struct.Struct("=BBBBI")
_NDMSG = struct.Struct("=BxxxiHBB")
_NLMSGERR = struct.Struct("=i")

#: Field order of struct rtnl_link_stats64 / rtnl_link_stats (include/uapi/linux/if_link.h).
LINK_STATS_FIELDS = (
    "rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors", "tx_errors",
    "rx_dropped", "tx_dropped", "multicast", "collisions",
    "rx_length_errors", "rx_over_errors", "rx_crc_errors", "rx_frame_errors", "rx_fifo_errors",
    "rx_missed_errors",
    "tx_aborted_errors", "tx_carrier_errors", "tx_fifo_errors", "tx_heartbeat_errors",
    "tx_window_errors",
    "rx_compressed", "tx_compressed", "rx_nohandler",
)
#: Kernels before 4.6 have no rx_nohandler; every kernel has the 23 fields before it.
_MIN_STATS_FIELDS = 23

_RECV_BYTES = 1 << 20
_TIMEOUT = 5.0


@dataclass(frozen=True, slots=True)
class Link:
    index: int
    name: str
    #: The link's counters by LINK_STATS_FIELDS name; None when the kernel sent no statistics.
    stats: dict[str, int] | None


@dataclass(frozen=True, slots=True)
class Neighbour:
    index: int
    state: int
    has_attributes: bool


@dataclass(frozen=True, slots=True)
class Address:
    index: int
    family: int
    prefix_len: int
    address: bytes


def _align(n: int) -> int:
    return (n + 3) & ~3


def parse_messages(data: bytes) -> Iterator[tuple[int, int, int, bytes]]:
    """(type, flags, seq, payload) of each netlink message in one datagram."""
    offset = 0
    end = len(data)
    while offset < end:
        if end - offset < _NLMSGHDR.size:
            raise ParseError("truncated netlink message header")
        length, msg_type, flags, seq, _pid = _NLMSGHDR.unpack_from(data, offset)
        if length < _NLMSGHDR.size or offset + length > end:
            raise ParseError(f"netlink message length {length} out of bounds")
        yield msg_type, flags, seq, data[offset + _NLMSGHDR.size:offset + length]
        offset += _align(length)


def parse_attributes(data: bytes) -> dict[int, bytes]:
    """Route attributes by type; a later attribute of the same type wins, as in Go's decoder."""
    attrs: dict[int, bytes] = {}
    offset = 0
    end = len(data)
    while offset + _RTATTR.size <= end:
        length, attr_type = _RTATTR.unpack_from(data, offset)
        if length < _RTATTR.size or offset + length > end:
            raise ParseError(f"route attribute length {length} out of bounds")
        attrs[attr_type & _NLA_TYPE_MASK] = data[offset + _RTATTR.size:offset + length]
        offset += _align(length)
    return attrs


def _c_string(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


def parse_link_stats(raw: bytes, width: int) -> dict[str, int]:
    """rtnl_link_stats64 (width 8) or rtnl_link_stats (width 4) as a dict; absent tail fields are 0."""
    count = min(len(raw) // width, len(LINK_STATS_FIELDS))
    if count < _MIN_STATS_FIELDS:
        raise ParseError(f"link statistics of {len(raw)} bytes are too short")
    values = struct.unpack_from(f"={count}{'Q' if width == 8 else 'I'}", raw)
    stats = dict.fromkeys(LINK_STATS_FIELDS, 0)
    stats.update(zip(LINK_STATS_FIELDS, values, strict=False))
    return stats


def parse_link(payload: bytes) -> Link | None:
    """One RTM_NEWLINK message; None when it carries no attributes (Go's rtnetlink skips those)."""
    if len(payload) < _IFINFOMSG.size:
        raise ParseError("truncated ifinfomsg")
    _family, _type, index, _flags, _change = _IFINFOMSG.unpack_from(payload)
    if len(payload) == _IFINFOMSG.size:
        return None
    attrs = parse_attributes(payload[_IFINFOMSG.size:])
    stats = None
    if IFLA_STATS64 in attrs:
        stats = parse_link_stats(attrs[IFLA_STATS64], 8)
    elif IFLA_STATS in attrs:
        stats = parse_link_stats(attrs[IFLA_STATS], 4)
    return Link(index, _c_string(attrs.get(IFLA_IFNAME, b"")), stats)


def parse_neighbour(payload: bytes) -> Neighbour:
    if len(payload) < _NDMSG.size:
        raise ParseError("truncated ndmsg")
    _family, index, state, _flags, _type = _NDMSG.unpack_from(payload)
    has_attributes = bool(parse_attributes(payload[_NDMSG.size:]))
    return Neighbour(index, state, has_attributes)


def parse_address(payload: bytes) -> Address | None:
    """One RTM_NEWADDR message: the local address when there is one, else the (peer) address.

    Go's net.Interface.Addrs does the same: on point-to-point links IFA_ADDRESS
    is the peer and IFA_LOCAL the interface's own address.
    """
    if len(payload) < _IFADDRMSG.size:
        raise ParseError("truncated ifaddrmsg")
    family, prefix_len, _flags, _scope, index = _IFADDRMSG.unpack_from(payload)
    attrs = parse_attributes(payload[_IFADDRMSG.size:])
    raw = attrs.get(IFA_LOCAL, attrs.get(IFA_ADDRESS))
    if raw is None:
        return None
    size = {socket.AF_INET: 4, socket.AF_INET6: 16}.get(family)
    if size is None:
        return None
    if len(raw) < size:
        raise ParseError(f"address attribute of {len(raw)} bytes for family {family}")
    return Address(index, family, prefix_len, bytes(raw[:size]))


def dump(msg_type: int, body: bytes) -> list[tuple[int, bytes]]:
    """Send one rtnetlink dump request and return (type, payload) of every answer until NLMSG_DONE."""
    seq = 1
    request = _NLMSGHDR.pack(_NLMSGHDR.size + len(body), msg_type, NLM_F_REQUEST | NLM_F_DUMP, seq, 0) + body
    out: list[tuple[int, bytes]] = []
    kind = socket.SOCK_RAW | socket.SOCK_CLOEXEC
    with socket.socket(socket.AF_NETLINK, kind, socket.NETLINK_ROUTE) as sock:
        sock.settimeout(_TIMEOUT)
        sock.bind((0, 0))
        sock.sendto(request, (0, 0))
        while True:
            data = sock.recv(_RECV_BYTES)
            if not data:
                raise ParseError("netlink socket closed during a dump")
            for answer_type, _flags, answer_seq, payload in parse_messages(data):
                if answer_seq != seq:
                    continue
                if answer_type == NLMSG_DONE:
                    return out
                if answer_type == NLMSG_ERROR:
                    if len(payload) < _NLMSGERR.size:
                        raise ParseError("truncated netlink error message")
                    (code,) = _NLMSGERR.unpack_from(payload)
                    if code == 0:
                        continue
                    raise OSError(-code, f"rtnetlink: {os.strerror(-code)}")
                if answer_type in (NLMSG_NOOP, NLMSG_OVERRUN):
                    continue
                out.append((answer_type, payload))


def links() -> list[Link]:
    """Every link of this network namespace with its name and statistics (RTM_GETLINK dump)."""
    answers = dump(RTM_GETLINK, _IFINFOMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0))
    out = []
    for msg_type, payload in answers:
        if msg_type != RTM_NEWLINK:
            continue
        link = parse_link(payload)
        if link is not None:
            out.append(link)
    return out


def neighbours(family: int) -> list[Neighbour]:
    """The neighbour table of one address family (RTM_GETNEIGH dump)."""
    answers = dump(RTM_GETNEIGH, _NDMSG.pack(family, 0, 0, 0, 0))
    return [parse_neighbour(payload) for msg_type, payload in answers if msg_type == RTM_NEWNEIGH]


def addresses() -> list[Address]:
    """Every IPv4 and IPv6 address of this network namespace (RTM_GETADDR dump)."""
    answers = dump(RTM_GETADDR, _IFADDRMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0))
    out = []
    for msg_type, payload in answers:
        if msg_type != RTM_NEWADDR:
            continue
        address = parse_address(payload)
        if address is not None:
            out.append(address)
    return out
