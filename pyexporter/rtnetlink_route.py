"""rtnetlink route dumps (RTM_GETROUTE) for the network_route collector.

node_exporter asks jsimonetti/rtnetlink for every route of every family and
table (one AF_UNSPEC dump) and decodes each message strictly: an address
attribute that is neither 4 nor 16 bytes, a number attribute that is not 4
bytes, or a broken multipath array fails the whole dump. The functions here do
the same on the messages pyroute2 splits and frames, with every attribute this
module uses left as raw bytes, so that the checks and the address formatting
(Go's net.IP.String) are ours and pure. The socket work runs on the netlink
thread, as in pyexporter.rtnetlink.
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from pyroute2.netlink import nlmsg
from pyroute2.netlink.rtnl import RTM_NEWROUTE
from pyroute2.netlink.rtnl.rtmsg import rtmsg

from pyexporter import netlink_thread
from pyexporter.errors import ParseError
from pyexporter.rtnetlink import interface_names, route_socket

#: Attribute types of include/uapi/linux/rtnetlink.h (enum rtattr_type_t).
RTA_DST = 1
RTA_OIF = 4
RTA_GATEWAY = 5
RTA_PRIORITY = 6
RTA_PREFSRC = 7
RTA_MULTIPATH = 9
#: rtm_type of an ordinary route (RTN_UNICAST): the only type node_exporter reports.
RTN_UNICAST = 1

_RTNEXTHOP = struct.Struct("=HBBi")  # struct rtnexthop: len, flags, hops, ifindex
_NLA_HEADER = struct.Struct("=HH")
_U32 = struct.Struct("=I")


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


class RouteMessage(nlmsg):
    """rtmsg with the attributes the collector reads kept as raw bytes; the rest stays unknown."""

    fields = rtmsg.fields
    nla_map = (
        (RTA_DST, "RTA_DST", "cdata"),
        (RTA_OIF, "RTA_OIF", "cdata"),
        (RTA_GATEWAY, "RTA_GATEWAY", "cdata"),
        (RTA_PRIORITY, "RTA_PRIORITY", "cdata"),
        (RTA_PREFSRC, "RTA_PREFSRC", "cdata"),
        (RTA_MULTIPATH, "RTA_MULTIPATH", "cdata"),
    )


def _get(msg: object, key: str) -> object:
    if not isinstance(msg, dict):
        raise ParseError(f"not a decoded netlink message: {msg!r:.80}")
    return dict.get(msg, key)  # pyroute2's own get() resolves paths, which these keys never need


def _address(raw: object, name: str) -> bytes:
    if not isinstance(raw, bytes | bytearray) or len(raw) not in (4, 16):
        raise ParseError(f"route attribute {name} has a wrong length: {raw!r:.80}")
    return bytes(raw)


def _u32(raw: object, name: str) -> int:
    if not isinstance(raw, bytes | bytearray) or len(raw) != 4:
        raise ParseError(f"route attribute {name} is not a uint32: {raw!r:.80}")
    return _U32.unpack(raw)[0]


def _byte_field(msg: object, name: str) -> int:
    value = _get(msg, name)
    if not isinstance(value, int) or not 0 <= value <= 255:
        raise ParseError(f"rtmsg field {name} is {value!r:.80}")
    return value


def parse_multipath(data: bytes) -> tuple[NextHop, ...]:
    """The array of struct rtnexthop (each followed by its own attributes) of an RTA_MULTIPATH."""
    hops: list[NextHop] = []
    offset = 0
    while offset < len(data):
        remaining = len(data) - offset
        if remaining < _RTNEXTHOP.size:
            raise ParseError(f"multipath: {remaining} bytes left, too short for an rtnexthop")
        length, _flags, count, ifindex = _RTNEXTHOP.unpack_from(data, offset)
        if length < _RTNEXTHOP.size or length > remaining:
            raise ParseError(f"multipath: rtnexthop length {length} with {remaining} bytes left")
        gateway = None
        attr = offset + _RTNEXTHOP.size
        end = offset + length
        while attr < end:
            if end - attr < _NLA_HEADER.size:
                raise ParseError("multipath: truncated attribute header")
            attr_len, attr_type = _NLA_HEADER.unpack_from(data, attr)
            if attr_len < _NLA_HEADER.size or attr + attr_len > end:
                raise ParseError(f"multipath: attribute length {attr_len} does not fit its next hop")
            if attr_type & 0x3FFF == RTA_GATEWAY:
                gateway = _address(data[attr + _NLA_HEADER.size:attr + attr_len], "RTA_GATEWAY")
            attr += (attr_len + 3) & ~3
        hops.append(NextHop(ifindex, count, gateway))
        offset += (length + 3) & ~3
    return tuple(hops)


def route_from_message(msg: object) -> Route:
    """One decoded RTM_NEWROUTE message (RouteMessage); ParseError where node_exporter's decoder fails."""
    attrs = _get(msg, "attrs") or ()
    if not isinstance(attrs, Sequence):
        raise ParseError(f"route attributes are {attrs!r:.80}")
    values: dict[str, object] = {}
    for attr in attrs:
        try:
            name, value = attr[0], attr[1]
        except (TypeError, IndexError, KeyError):
            raise ParseError(f"route attribute {attr!r:.80}") from None
        values[name] = value  # the last one wins, as in Go's decoder
    dst = values.get("RTA_DST")
    prefsrc = values.get("RTA_PREFSRC")
    gateway = values.get("RTA_GATEWAY")
    oif = values.get("RTA_OIF")
    priority = values.get("RTA_PRIORITY")
    multipath = values.get("RTA_MULTIPATH")
    if multipath is not None and not isinstance(multipath, bytes | bytearray):
        raise ParseError(f"route attribute RTA_MULTIPATH is {multipath!r:.80}")
    return Route(
        family=_byte_field(msg, "family"),
        dst_len=_byte_field(msg, "dst_len"),
        protocol=_byte_field(msg, "proto"),
        type=_byte_field(msg, "type"),
        dst=None if dst is None else _address(dst, "RTA_DST"),
        prefsrc=None if prefsrc is None else _address(prefsrc, "RTA_PREFSRC"),
        gateway=None if gateway is None else _address(gateway, "RTA_GATEWAY"),
        oif=0 if oif is None else _u32(oif, "RTA_OIF"),
        priority=0 if priority is None else _u32(priority, "RTA_PRIORITY"),
        multipath=() if multipath is None else parse_multipath(bytes(multipath)),
    )


_V4_IN_V6_PREFIX = bytes(10) + b"\xff\xff"


def go_ip_string(raw: bytes | None) -> str:
    """An address as Go's net.IP.String prints it; "" for none (node_exporter's networkRouteIPToString)."""
    if not raw:
        return ""
    if len(raw) == 16 and raw.startswith(_V4_IN_V6_PREFIX):
        # Go prints IPv4-mapped IPv6 addresses in dotted form.
        raw = raw[12:]
    if len(raw) == 4:
        return str(ipaddress.IPv4Address(raw))
    if len(raw) == 16:
        return ipaddress.IPv6Address(raw).compressed
    return "?" + raw.hex()


def destination(dst: bytes | None, dst_len: int) -> str:
    """node_exporter's dest label: "default" for a zero-length prefix, else Go's net.IPNet.String."""
    if dst_len == 0:
        return "default"
    if dst is None:
        return "<nil>"  # a net.IPNet without an address
    is_v4 = len(dst) == 4 or (len(dst) == 16 and dst.startswith(_V4_IN_V6_PREFIX))
    bits = 32 if is_v4 else 128
    if dst_len > bits:
        return "<nil>"  # net.CIDRMask gives no mask for a prefix longer than the address
    return f"{go_ip_string(dst)}/{dst_len}"


def _dump_routes() -> tuple[list[Route], dict[int, str]]:
    names = interface_names()  # node_exporter lists the links before the routes too
    with route_socket() as ipr:
        ipr.marshal.msg_map[RTM_NEWROUTE] = RouteMessage  # this socket's own copy of the table
        # No keywords: one AF_UNSPEC dump of every family and table, as node_exporter sends.
        messages = tuple(ipr.route("dump"))
    return [route_from_message(msg) for msg in messages], names


def routes() -> tuple[list[Route], dict[int, str]]:
    """Every route of this network namespace and the interface names by index."""
    return netlink_thread.run(_dump_routes)
