"""The rtnetlink dumps collectors ask for: link statistics, names, neighbours, addresses, routes, qdiscs.

node_exporter reads network device statistics and ARP entries over rtnetlink
by default (`--collector.netdev.netlink`, `--collector.arp.netlink`), and
addresses, routes and qdiscs where those collectors are enabled. Like it, the
dumps describe the network namespace pyexporter runs in, not a --path.procfs
tree.

Every dump is one request on a socket of its own, made in the calling thread
(the collector's worker), with `timeout` seconds for its whole reply
(pyexporter.netlink.conn); the collectors pass their own timeout, so a dump
the kernel never finishes fails its collector alone. Decoding is
pyexporter.netlink.rtnl's.

Link statistics come from an RTM_GETSTATS dump restricted to
IFLA_STATS_LINK_64 (a few hundred bytes per link) and the names from a link
dump read only as far as each link's name, as if_nameindex(3) reads it:
node_exporter decodes the same rtnl_link_stats64 from one full RTM_GETLINK
dump, but walking the ~40 attributes of each link there costs twice the time
of the two dumps (5.0 against 2.4 ms for 300 links). Kernels before 4.7 have
no RTM_GETSTATS; there the full link dump is used.
"""

from __future__ import annotations

import errno
import socket

from pyexporter.errors import ParseError
from pyexporter.netlink import conn, rtnl
from pyexporter.netlink.message import Message, NetlinkError
from pyexporter.netlink.rtnl import LINK_STATS_FIELDS, NUD_NOARP, Address, Link, Neighbour, Qdisc, Route

__all__ = ["LINK_STATS_FIELDS", "NUD_NOARP", "Address", "Link", "Neighbour", "Qdisc", "Route", "addresses",
           "interface_names", "links", "neighbours", "qdiscs", "routes"]


def _dump(msg_type: int, payload: bytes, answer_type: int, timeout: float) -> list[bytes]:
    """The payloads of one dump's messages, each of `answer_type`."""
    messages: list[Message] = conn.dump(socket.NETLINK_ROUTE, msg_type, payload, timeout)
    for msg in messages:
        if msg.type != answer_type:
            raise ParseError(f"rtnetlink: message type {msg.type} in a dump of type {answer_type}")
    return [msg.payload for msg in messages]


def interface_names(timeout: float) -> dict[int, str]:
    """Index to name of every interface of this network namespace, as if_nameindex(3) lists them."""
    names = {}
    for payload in _dump(rtnl.RTM_GETLINK, rtnl.link_request(), rtnl.RTM_NEWLINK, timeout):
        entry = rtnl.link_name_from_message(payload)
        if entry is not None:
            names[entry[0]] = entry[1]
    return names


def links(timeout: float) -> list[Link]:
    """Every link of this network namespace with its name and statistics."""
    try:
        stats = _dump(rtnl.RTM_GETSTATS, rtnl.stats_request(), rtnl.RTM_NEWSTATS, timeout)
    except NetlinkError as exc:
        if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
            raise
        # A kernel before 4.7: the statistics come with the full link dump.
        messages = _dump(rtnl.RTM_GETLINK, rtnl.link_request(), rtnl.RTM_NEWLINK, timeout)
        return [link for link in map(rtnl.link_from_message, messages) if link is not None]
    # Decoded before the names are asked for: a malformed answer fails without a second dump.
    counters = [rtnl.stats_from_message(payload) for payload in stats]
    names = interface_names(timeout)
    # An interface without a name went away between the two dumps: it is left out.
    return [Link(index, name, values) for index, values in counters if (name := names.get(index)) is not None]


def neighbours(family: int, timeout: float) -> list[Neighbour]:
    """The neighbour table of one address family (RTM_GETNEIGH dump)."""
    payloads = _dump(rtnl.RTM_GETNEIGH, rtnl.neighbour_request(family), rtnl.RTM_NEWNEIGH, timeout)
    return [rtnl.neighbour_from_message(payload) for payload in payloads]


def addresses(timeout: float) -> list[Address]:
    """Every IPv4 and IPv6 address of this network namespace (RTM_GETADDR dump)."""
    payloads = _dump(rtnl.RTM_GETADDR, rtnl.address_request(), rtnl.RTM_NEWADDR, timeout)
    return [address for address in map(rtnl.address_from_message, payloads) if address is not None]


def routes(timeout: float) -> tuple[list[Route], dict[int, str]]:
    """Every route of this network namespace, and the interface names by index."""
    names = interface_names(timeout)  # node_exporter lists the links before the routes too
    payloads = _dump(rtnl.RTM_GETROUTE, rtnl.route_request(), rtnl.RTM_NEWROUTE, timeout)
    return [rtnl.route_from_message(payload) for payload in payloads], names


def qdiscs(timeout: float) -> list[Qdisc]:
    """Every qdisc of this network namespace (RTM_GETQDISC dump)."""
    payloads = _dump(rtnl.RTM_GETQDISC, rtnl.qdisc_request(), rtnl.RTM_NEWQDISC, timeout)
    return [rtnl.qdisc_from_message(payload) for payload in payloads]
