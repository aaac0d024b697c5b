"""rtnetlink dumps through pyroute2: link statistics, IPv4 neighbours, addresses, interface names.

node_exporter reads network device statistics, ARP entries and interface
addresses over rtnetlink by default (`--collector.netdev.netlink`,
`--collector.arp.netlink`, `--collector.netdev.address-info`). Like it, these
dumps describe the network namespace pyexporter runs in, not a --path.procfs
tree.

pyroute2 does the socket work and decodes the messages. The `*_from_message`
functions turn one decoded message into the collectors' typed values; they are
pure and raise ParseError only. Every dump runs on the one netlink thread
(pyexporter.netlink_thread) on one IPRoute socket kept between dumps (opening
one costs about 0.2 ms, a fifth of a dump); a dump that fails closes it, so no
state of a failed dump (a half-read reply) outlives it.

Link statistics come from an RTM_GETSTATS dump restricted to
IFLA_STATS_LINK_64: node_exporter decodes the same rtnl_link_stats64 from a
full RTM_GETLINK dump, but pyroute2 builds an object for each of the ~40
attributes of every link there, which made a scrape of 400 interfaces take a
quarter of a second. Names then come from if_nameindex(3) (itself an
RTM_GETLINK dump, decoded in C). Kernels before 4.7 have no RTM_GETSTATS; there
the full link dump is used.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import struct
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pyroute2 import IPRoute
from pyroute2.netlink import nla, nlmsg
from pyroute2.netlink.exceptions import NetlinkError
from pyroute2.netlink.rtnl import RTM_NEWLINK, RTM_NEWSTATS
from pyroute2.netlink.rtnl.ifinfmsg import ifinfbase
from pyroute2.netlink.rtnl.ifstatsmsg import ifstatsmsg

from pyexporter import netlink_thread
from pyexporter.errors import ParseError

#: NUD_NOARP (include/uapi/linux/neighbour.h): entries /proc/net/arp leaves out.
NUD_NOARP = 0x40

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

#: filter_mask bit of IFLA_STATS_LINK_64 in an RTM_GETSTATS request (IFLA_STATS_FILTER_BIT).
_STATS_LINK_64_ONLY = 1 << (1 - 1)

_ADDRESS_SIZES = {socket.AF_INET: 4, socket.AF_INET6: 16}


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


# pyroute2's own layout of the link statistics stops at tx_compressed, so it never yields
# rx_nohandler. These layouts declare the kernel's struct up to rx_nohandler; which one decodes
# an attribute depends on how many counters the running kernel put in it.
class _Stats64(nla):
    fields = tuple((name, "Q") for name in LINK_STATS_FIELDS)


class _Stats64BeforeNoHandler(nla):
    fields = tuple((name, "Q") for name in LINK_STATS_FIELDS[:_FIELDS_BEFORE_NOHANDLER])


class _Stats32(nla):
    fields = tuple((name, "I") for name in LINK_STATS_FIELDS)


class _Stats32BeforeNoHandler(nla):
    fields = tuple((name, "I") for name in LINK_STATS_FIELDS[:_FIELDS_BEFORE_NOHANDLER])


def _stats_layout(full: type[nla], short: type[nla], width: int) -> Callable[..., type[nla]]:
    """A pyroute2 NLA class selector (called with the message, data=, offset=) for one stats attribute.

    pyroute2 unpacks declared fields without checking the attribute's length, so
    the layout must fit what the kernel sent; anything shorter than 23 counters
    stays raw bytes, which link_stats rejects.
    """
    def select(_message: object, *_args: object, data: bytes, offset: int, **_kwargs: object) -> type[nla]:
        (length,) = struct.unpack_from("H", data, offset)  # the NLA header's own length field
        count = (length - 4) // width
        if count >= len(LINK_STATS_FIELDS):
            return full
        if count >= _FIELDS_BEFORE_NOHANDLER:
            return short
        return nla.cdata

    return select


class LinkStatsMessage(nlmsg):
    """pyroute2's RTM_NEWSTATS message (ifstatsmsg) with IFLA_STATS_LINK_64 decoded up to rx_nohandler."""

    fields = ifstatsmsg.fields
    nla_map = (
        ("IFLA_STATS_UNSPEC", "none"),
        ("IFLA_STATS_LINK_64", "link_stats64"),
    )
    link_stats64 = staticmethod(_stats_layout(_Stats64, _Stats64BeforeNoHandler, 8))


class LinkMessage(ifinfbase, nlmsg):
    """pyroute2's RTM_NEWLINK message (ifinfmsg) with link statistics decoded up to rx_nohandler."""

    ifstats64 = staticmethod(_stats_layout(_Stats64, _Stats64BeforeNoHandler, 8))
    ifstats = staticmethod(_stats_layout(_Stats32, _Stats32BeforeNoHandler, 4))


def _get(msg: object, key: str) -> Any:
    """One field of a decoded message. pyroute2's messages are dicts whose own get() and [] resolve
    nested paths and defaults, ten times slower than the plain lookup made here."""
    if not isinstance(msg, dict):
        raise ParseError(f"not a decoded netlink message: {msg!r:.80}")
    return dict.get(msg, key)


def _last_attr(msg: object, name: str) -> Any:
    """The value of the last attribute of that name, as Go's rtnetlink decoder keeps the last one."""
    attrs = _get(msg, "attrs") or ()
    if not isinstance(attrs, list | tuple):
        raise ParseError(f"netlink attributes are {attrs!r:.80}")
    value = None
    for attr in attrs:
        # pyroute2's attribute slots: [0] is the name, [1] the decoded value.
        try:
            if attr[0] == name:
                value = attr[1]
        except (TypeError, IndexError, KeyError):
            raise ParseError(f"netlink attribute {attr!r:.80}") from None
    return value


def _has_attributes(msg: object) -> bool:
    return bool(_get(msg, "attrs"))


def _int_field(msg: object, name: str) -> int:
    value = _get(msg, name)
    if not isinstance(value, int):
        raise ParseError(f"netlink message field {name} is {value!r:.80}")
    return value


def link_stats(raw: object) -> dict[str, int]:
    """A decoded rtnl_link_stats(64) attribute as a dict of every LINK_STATS_FIELDS name."""
    if not isinstance(raw, Mapping):
        raise ParseError(f"link statistics too short to decode: {raw!r:.80}")
    values = dict(raw)
    stats = {}
    for name in LINK_STATS_FIELDS:
        # A kernel before 4.6 sends no rx_nohandler: it reads 0, as node_exporter reports it.
        value = values.get(name, 0)
        if not isinstance(value, int) or value < 0:
            raise ParseError(f"link statistic {name} is {value!r:.80}")
        stats[name] = value
    return stats


def interface_name(raw: object) -> str:
    """An interface name as a label value; bytes that are not UTF-8 read as U+FFFD."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        # if_nameindex and pyroute2 hand over undecodable bytes as surrogate escapes or bytes.
        raw = os.fsencode(raw)
    if isinstance(raw, bytes):
        return raw.decode("utf-8", "replace")
    raise ParseError(f"interface name is {raw!r:.80}")


def link_from_stats_message(msg: object, names: Mapping[int, str]) -> Link | None:
    """One RTM_NEWSTATS message; None for an interface that has no name (it went away meanwhile)."""
    index = _int_field(msg, "ifindex")
    name = names.get(index)
    if name is None:
        return None
    raw = _last_attr(msg, "IFLA_STATS_LINK_64")
    return Link(index, name, None if raw is None else link_stats(raw))


def link_from_message(msg: object) -> Link | None:
    """One RTM_NEWLINK message; None when it carries no attributes (Go's rtnetlink skips those)."""
    if not _has_attributes(msg):
        return None
    index = _int_field(msg, "index")
    raw = _last_attr(msg, "IFLA_STATS64")
    if raw is None:
        raw = _last_attr(msg, "IFLA_STATS")
    stats = None if raw is None else link_stats(raw)
    return Link(index, interface_name(_last_attr(msg, "IFLA_IFNAME")), stats)


def neighbour_from_message(msg: object) -> Neighbour:
    return Neighbour(_int_field(msg, "ifindex"), _int_field(msg, "state"), _has_attributes(msg))


def address_from_message(msg: object) -> Address | None:
    """One RTM_NEWADDR message: the local address when there is one, else the (peer) address.

    Go's net.Interface.Addrs does the same: on point-to-point links IFA_ADDRESS
    is the peer and IFA_LOCAL the interface's own address.
    """
    family = _int_field(msg, "family")
    size = _ADDRESS_SIZES.get(family)
    if size is None:
        return None
    index, prefix_len = _int_field(msg, "index"), _int_field(msg, "prefixlen")
    text = _last_attr(msg, "IFA_LOCAL")
    if text is None:
        text = _last_attr(msg, "IFA_ADDRESS")
    if text is None:
        return None
    # pyroute2 prints the address; an attribute too short for its family stays raw bytes.
    if not isinstance(text, str):
        raise ParseError(f"address attribute {text!r:.80} does not fit family {family}")
    try:
        packed = ipaddress.ip_address(text).packed
    except ValueError as exc:
        raise ParseError(f"address {text!r:.80}: {exc}") from None
    if len(packed) != size:
        raise ParseError(f"address {text!r} does not fit family {family}")
    return Address(index, family, prefix_len, packed)


def _route_socket() -> IPRoute:
    # groups=0: a dump needs no multicast subscription, whose events would only queue up.
    ipr = IPRoute(groups=0)
    msg_map = ipr.marshal.msg_map  # this socket's own copy of pyroute2's table
    msg_map[RTM_NEWLINK] = LinkMessage
    msg_map[RTM_NEWSTATS] = LinkStatsMessage
    return ipr


#: The netlink thread's socket between dumps; only that thread touches it.
_kept: IPRoute | None = None


@contextmanager
def route_socket() -> Iterator[IPRoute]:
    """The kept IPRoute socket (opened on first use), for one dump on the netlink thread.

    It is kept after a dump that ends normally and closed after one that raises.
    """
    global _kept
    ipr, _kept = _kept or _route_socket(), None
    try:
        yield ipr
    except BaseException:
        ipr.close()
        raise
    _kept = ipr


def _close_kept() -> None:
    global _kept
    if _kept is not None:
        ipr, _kept = _kept, None
        ipr.close()


def close_socket() -> None:
    """Close the kept socket; the next dump opens a new one."""
    netlink_thread.run(_close_kept)


def interface_names() -> dict[int, str]:
    """Index to name of every interface of this network namespace."""
    return {index: interface_name(name) for index, name in socket.if_nameindex()}


def _dump_links() -> list[Link]:
    with route_socket() as ipr:
        try:
            stats = tuple(ipr.stats("dump", filter_mask=_STATS_LINK_64_ONLY))
        except NetlinkError as exc:
            if exc.code not in (errno.EOPNOTSUPP, errno.EINVAL):
                raise
            # A kernel before 4.7: the statistics come with the full link dump.
            messages = tuple(ipr.get_links())
            return [link for link in map(link_from_message, messages) if link is not None]
    names = interface_names()
    return [link for msg in stats if (link := link_from_stats_message(msg, names)) is not None]


def _dump_neighbours(family: int) -> list[Neighbour]:
    with route_socket() as ipr:
        messages = tuple(ipr.get_neighbours(family=family))
    return [neighbour_from_message(msg) for msg in messages]


def _dump_addresses() -> list[Address]:
    with route_socket() as ipr:
        messages = tuple(ipr.get_addr())
    return [address for address in map(address_from_message, messages) if address is not None]


def links() -> list[Link]:
    """Every link of this network namespace with its name and statistics."""
    return netlink_thread.run(_dump_links)


def neighbours(family: int) -> list[Neighbour]:
    """The neighbour table of one address family (RTM_GETNEIGH dump)."""
    return netlink_thread.run(lambda: _dump_neighbours(family))


def addresses() -> list[Address]:
    """Every IPv4 and IPv6 address of this network namespace (RTM_GETADDR dump)."""
    return netlink_thread.run(_dump_addresses)
