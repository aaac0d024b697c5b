"""rtnetlink messages (include/uapi/linux/rtnetlink.h, if_link.h, neighbour.h, if_addr.h, pkt_sched.h).

Requests are built and answers decoded here, from and to bytes: links with
their statistics, link statistics alone, interface names, IPv4 neighbours,
addresses, routes, and qdiscs. Each decoder takes the payload of one message
(after its nlmsghdr) and reads only the attributes its collector needs, with
node_exporter's rules: the last attribute of a type wins (Go's decoders
overwrite), a message without attributes is skipped where jsimonetti/rtnetlink
leaves its Attributes nil, and a value of a length its type cannot have is a
ParseError where node_exporter's decoder fails.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.netlink.message import align, attribute_spans, c_string, last_attributes, u32

# Message types.
RTM_NEWLINK = 16
RTM_GETLINK = 18
RTM_NEWADDR = 20
RTM_GETADDR = 22
RTM_NEWROUTE = 24
RTM_GETROUTE = 26
RTM_NEWNEIGH = 28
RTM_GETNEIGH = 30
RTM_NEWQDISC = 36
RTM_GETQDISC = 38
RTM_NEWSTATS = 92
RTM_GETSTATS = 94

# Link attributes (enum IFLA_*) and link statistics attributes (enum IFLA_STATS_*).
IFLA_IFNAME = 3
IFLA_STATS = 7
IFLA_STATS64 = 23
IFLA_STATS_LINK_64 = 1

# Address attributes (enum IFA_*).
IFA_ADDRESS = 1
IFA_LOCAL = 2

#: NUD_NOARP (include/uapi/linux/neighbour.h): entries /proc/net/arp leaves out.
NUD_NOARP = 0x40

# Route attributes (enum rtattr_type_t).
RTA_DST = 1
RTA_OIF = 4
RTA_GATEWAY = 5
RTA_PRIORITY = 6
RTA_PREFSRC = 7
RTA_MULTIPATH = 9
#: rtm_type of an ordinary route (RTN_UNICAST).
RTN_UNICAST = 1

# Traffic control attributes (enum TCA_*) and the statistics nested in TCA_STATS2 (enum TCA_STATS_*).
TCA_KIND = 1
TCA_STATS = 3
TCA_STATS2 = 7
TCA_STATS_BASIC = 1
TCA_STATS_QUEUE = 3
#: TC_H_ROOT: the parent handle of a device's root qdisc.
TC_H_ROOT = 0xFFFFFFFF

#: Field order of struct rtnl_link_stats64 / rtnl_link_stats (include/uapi/linux/if_link.h) up to
#: rx_nohandler, the last field node_exporter exposes. Later kernels append more; they are ignored.
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
_FIELDS_BEFORE_NOHANDLER = len(LINK_STATS_FIELDS) - 1
#: (counter width, counters read) -> the struct of those counters and their names.
_STATS_LAYOUTS = {
    (width, count): (struct.Struct(f"={count}{code}"), LINK_STATS_FIELDS[:count])
    for width, code in ((8, "Q"), (4, "I")) for count in (_FIELDS_BEFORE_NOHANDLER, len(LINK_STATS_FIELDS))
}

IFINFOMSG = struct.Struct("=BxHIII")  # family, type, index, flags, change
IF_STATS_MSG = struct.Struct("=BxxxII")  # family, ifindex, filter_mask
NDMSG = struct.Struct("=BxxxIHBB")  # family, ifindex, state, flags, type
IFADDRMSG = struct.Struct("=BBBBI")  # family, prefixlen, flags, scope, index
RTMSG = struct.Struct("=BBBBBBBBI")  # family, dst_len, src_len, tos, table, protocol, scope, type, flags
TCMSG = struct.Struct("=BxxxIIII")  # family, ifindex, handle, parent, info
RTNEXTHOP = struct.Struct("=HBBI")  # len, flags, hops, ifindex
#: struct tc_stats: bytes, packets, drops, overlimits, bps, pps, qlen, backlog.
_TC_STATS = struct.Struct("=QIIIIIII")
_GNET_BASIC = struct.Struct("=QI")  # struct gnet_stats_basic: bytes, packets (the kernel pads it to 16)
_GNET_QUEUE = struct.Struct("=IIIII")  # struct gnet_stats_queue: qlen, backlog, drops, requeues, overlimits

_ADDRESS_SIZES = {socket.AF_INET: 4, socket.AF_INET6: 16}
_LINK_ATTRS = frozenset((IFLA_IFNAME, IFLA_STATS, IFLA_STATS64))
_STATS_ATTRS = frozenset((IFLA_STATS_LINK_64,))
_ADDRESS_ATTRS = frozenset((IFA_ADDRESS, IFA_LOCAL))
_ROUTE_ATTRS = frozenset((RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_PREFSRC, RTA_MULTIPATH))


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


@dataclass(frozen=True, slots=True)
class NextHop:
    ifindex: int
    #: rtnh_hops: the weight `ip route` was given, minus one.
    hops: int
    gateway: bytes | None


@dataclass(frozen=True, slots=True)
class Route:
    family: int
    dst_len: int
    protocol: int
    type: int
    dst: bytes | None
    prefsrc: bytes | None
    gateway: bytes | None
    oif: int
    priority: int
    multipath: tuple[NextHop, ...]


@dataclass(frozen=True, slots=True)
class Qdisc:
    index: int
    #: 0 for a device's root qdisc (TC_H_ROOT), as node_exporter's qdisc library reports it.
    parent: int
    kind: str
    bytes: int
    packets: int
    drops: int
    requeues: int
    overlimits: int
    qlen: int
    backlog: int


# --- requests --------------------------------------------------------------------------------------------

def link_request() -> bytes:
    """RTM_GETLINK dump of every link with every attribute, as jsimonetti/rtnetlink's Link.List asks."""
    return IFINFOMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0)


def stats_request() -> bytes:
    """RTM_GETSTATS dump of every link's rtnl_link_stats64 alone (filter_mask IFLA_STATS_LINK_64)."""
    return IF_STATS_MSG.pack(socket.AF_UNSPEC, 0, 1 << (IFLA_STATS_LINK_64 - 1))


def neighbour_request(family: int) -> bytes:
    return NDMSG.pack(family, 0, 0, 0, 0)


def address_request() -> bytes:
    return IFADDRMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0)


def route_request() -> bytes:
    """RTM_GETROUTE dump of every family and table, as node_exporter's empty RouteMessage asks."""
    return RTMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0, 0, 0, 0, 0)


def qdisc_request() -> bytes:
    """RTM_GETQDISC dump: a zeroed tcmsg, as node_exporter's qdisc library sends."""
    return TCMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0)


# --- answers ---------------------------------------------------------------------------------------------

def _header(layout: struct.Struct, payload: bytes, what: str) -> tuple[int, ...]:
    if len(payload) < layout.size:
        raise ParseError(f"{what}: {len(payload)} bytes, shorter than its {layout.size}-byte header")
    return layout.unpack_from(payload)


def link_stats(raw: bytes, width: int) -> dict[str, int]:
    """An rtnl_link_stats64 (width 8) or rtnl_link_stats (width 4) as a dict of every LINK_STATS_FIELDS name.

    23 counters or more are read (a kernel before 4.6 sends no rx_nohandler: it
    reads 0, as node_exporter reports it); counters newer kernels append are ignored.
    """
    count = len(raw) // width
    if count < _FIELDS_BEFORE_NOHANDLER:
        raise ParseError(f"link statistics of {len(raw)} bytes, too short for {_FIELDS_BEFORE_NOHANDLER} "
                         f"counters of {width} bytes")
    count = min(count, len(LINK_STATS_FIELDS))
    layout, names = _STATS_LAYOUTS[width, count]
    stats = dict(zip(names, layout.unpack_from(raw), strict=True))
    if count == _FIELDS_BEFORE_NOHANDLER:
        stats["rx_nohandler"] = 0
    return stats


def interface_name(raw: bytes) -> str:
    """An IFLA_IFNAME as a label value; bytes that are not UTF-8 read as U+FFFD."""
    return c_string(raw).decode("utf-8", "replace")


def stats_from_message(payload: bytes) -> tuple[int, dict[str, int] | None]:
    """One RTM_NEWSTATS message: (interface index, its counters or None when it carries none)."""
    _family, index, _mask = _header(IF_STATS_MSG, payload, "RTM_NEWSTATS")
    raw = last_attributes(payload, IF_STATS_MSG.size, _STATS_ATTRS).get(IFLA_STATS_LINK_64)
    return index, None if raw is None else link_stats(raw, 8)


def link_from_message(payload: bytes) -> Link | None:
    """One RTM_NEWLINK message; None when it carries no attributes (Go's rtnetlink skips those).

    IFLA_STATS64 is read where the kernel sends it, else IFLA_STATS, as node_exporter does.
    """
    _family, _type, index, _flags, _change = _header(IFINFOMSG, payload, "RTM_NEWLINK")
    if len(payload) == IFINFOMSG.size:
        return None
    found = last_attributes(payload, IFINFOMSG.size, _LINK_ATTRS)
    stats = None
    if IFLA_STATS64 in found:
        stats = link_stats(found[IFLA_STATS64], 8)
    elif IFLA_STATS in found:
        stats = link_stats(found[IFLA_STATS], 4)
    return Link(index, interface_name(found.get(IFLA_IFNAME, b"")), stats)


def link_name_from_message(payload: bytes) -> tuple[int, str] | None:
    """(index, name) of one RTM_NEWLINK message, as if_nameindex(3) lists it; None without a name.

    The kernel puts IFLA_IFNAME first, so the walk ends there; the rest of the
    message is not decoded.
    """
    _family, _type, index, _flags, _change = _header(IFINFOMSG, payload, "RTM_NEWLINK")
    for attr_type, first, last in attribute_spans(payload, IFINFOMSG.size):
        if attr_type == IFLA_IFNAME:
            return index, interface_name(payload[first:last])
    return None


def neighbour_from_message(payload: bytes) -> Neighbour:
    """One RTM_NEWNEIGH message (an ndmsg and its attributes)."""
    _family, index, state, _flags, _type = _header(NDMSG, payload, "RTM_NEWNEIGH")
    # The attributes are walked only to reject a malformed message; none of their values is used.
    has_attributes = any(True for _ in attribute_spans(payload, NDMSG.size))
    return Neighbour(index, state, has_attributes)


def address_from_message(payload: bytes) -> Address | None:
    """One RTM_NEWADDR message: the local address when there is one, else the (peer) address.

    Go's net.Interface.Addrs does the same: on point-to-point links IFA_ADDRESS
    is the peer and IFA_LOCAL the interface's own address. None for a family
    other than IPv4 and IPv6, or a message without address.
    """
    family, prefix_len, _flags, _scope, index = _header(IFADDRMSG, payload, "RTM_NEWADDR")
    size = _ADDRESS_SIZES.get(family)
    if size is None:
        return None
    found = last_attributes(payload, IFADDRMSG.size, _ADDRESS_ATTRS)
    raw = found.get(IFA_LOCAL, found.get(IFA_ADDRESS))
    if raw is None:
        return None
    if len(raw) != size:
        raise ParseError(f"address attribute of {len(raw)} bytes in family {family}")
    return Address(index, family, prefix_len, raw)


def _route_address(raw: bytes | None, name: str) -> bytes | None:
    if raw is not None and len(raw) not in (4, 16):
        raise ParseError(f"route attribute {name} has a wrong length: {raw!r:.80}")
    return raw


def parse_multipath(data: bytes) -> tuple[NextHop, ...]:
    """The array of struct rtnexthop (each followed by its own attributes) of an RTA_MULTIPATH."""
    hops: list[NextHop] = []
    offset = 0
    while offset < len(data):
        remaining = len(data) - offset
        if remaining < RTNEXTHOP.size:
            raise ParseError(f"multipath: {remaining} bytes left, too short for an rtnexthop")
        length, _flags, count, ifindex = RTNEXTHOP.unpack_from(data, offset)
        if length < RTNEXTHOP.size or length > remaining:
            raise ParseError(f"multipath: rtnexthop length {length} with {remaining} bytes left")
        gateway = None
        nested = data[offset + RTNEXTHOP.size:offset + length]
        for attr_type, first, last in attribute_spans(nested):
            if attr_type == RTA_GATEWAY:
                gateway = _route_address(nested[first:last], "RTA_GATEWAY")
        hops.append(NextHop(ifindex, count, gateway))
        offset += align(length)
    return tuple(hops)


def route_from_message(payload: bytes) -> Route:
    """One RTM_NEWROUTE message; ParseError where node_exporter's decoder fails.

    jsimonetti/rtnetlink decodes strictly: an address attribute that is neither
    4 nor 16 bytes, a number attribute that is not 4 bytes, or a broken
    multipath array fails the whole dump.
    """
    family, dst_len, _src_len, _tos, _table, protocol, _scope, rtype, _flags = _header(
        RTMSG, payload, "RTM_NEWROUTE")
    found = last_attributes(payload, RTMSG.size, _ROUTE_ATTRS)
    oif = found.get(RTA_OIF)
    priority = found.get(RTA_PRIORITY)
    multipath = found.get(RTA_MULTIPATH)
    return Route(
        family=family, dst_len=dst_len, protocol=protocol, type=rtype,
        dst=_route_address(found.get(RTA_DST), "RTA_DST"),
        prefsrc=_route_address(found.get(RTA_PREFSRC), "RTA_PREFSRC"),
        gateway=_route_address(found.get(RTA_GATEWAY), "RTA_GATEWAY"),
        oif=0 if oif is None else u32(oif, "RTA_OIF"),
        priority=0 if priority is None else u32(priority, "RTA_PRIORITY"),
        multipath=() if multipath is None else parse_multipath(multipath),
    )


def _fixed(layout: struct.Struct, raw: bytes, what: str) -> tuple[int, ...]:
    if len(raw) < layout.size:
        # node_exporter's qdisc library slices without checking: it would panic here.
        raise ParseError(f"{what} of {len(raw)} bytes, shorter than {layout.size}")
    return layout.unpack_from(raw)


def qdisc_from_message(payload: bytes) -> Qdisc:
    """One RTM_NEWQDISC message, read as node_exporter's qdisc library (ema/qdisc) reads it.

    The attributes are read in order: TCA_STATS2 sets every counter (requeues
    come from it alone), and the legacy TCA_STATS, which the kernel sends after
    it, has the last word on the ones it carries.
    """
    _family, index, _handle, parent, _info = _header(TCMSG, payload, "RTM_NEWQDISC")
    kind = ""
    bytes_ = packets = drops = requeues = overlimits = qlen = backlog = 0
    for attr_type, first, last in attribute_spans(payload, TCMSG.size):
        value = payload[first:last]
        if attr_type == TCA_KIND:
            kind = c_string(value).decode("utf-8", "replace")
        elif attr_type == TCA_STATS2:
            bytes_ = packets = drops = requeues = overlimits = qlen = backlog = 0
            for nested_type, nested_first, nested_last in attribute_spans(value):
                nested = value[nested_first:nested_last]
                if nested_type == TCA_STATS_BASIC:
                    bytes_, packets = _fixed(_GNET_BASIC, nested, "TCA_STATS_BASIC")
                elif nested_type == TCA_STATS_QUEUE:
                    qlen, backlog, drops, requeues, overlimits = _fixed(
                        _GNET_QUEUE, nested, "TCA_STATS_QUEUE")
        elif attr_type == TCA_STATS:
            bytes_, packets, drops, overlimits, _bps, _pps, qlen, backlog = _fixed(
                _TC_STATS, value, "TCA_STATS")
    return Qdisc(index=index, parent=0 if parent == TC_H_ROOT else parent, kind=kind, bytes=bytes_,
                 packets=packets, drops=drops, requeues=requeues, overlimits=overlimits, qlen=qlen,
                 backlog=backlog)
