"""network_route: the routing tables of this network namespace, from an rtnetlink route dump.

node_network_route_info has one sample per unicast route (per next hop of a
multipath route) of every table and family; node_network_routes counts them
per output interface. Like node_exporter, the dump describes the namespace
pyexporter runs in, not a --path.procfs tree.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Iterator

from pyexporter import rtnetlink
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.netlink.rtnl import RTN_UNICAST, Route
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

#: rtm_protocol names, from include/uapi/linux/rtnetlink.h, as node_exporter lists them.
PROTOCOL_NAMES = {
    0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static", 8: "gated", 9: "ra",
    10: "mrt", 11: "zebra", 12: "bird", 13: "dnrouted", 14: "xorp", 15: "ntk", 16: "dhcp",
    17: "mrouted", 42: "babel", 186: "bgp", 187: "isis", 188: "ospf", 189: "rip", 192: "eigrp",
}


def protocol_name(protocol: int) -> str:
    return PROTOCOL_NAMES.get(protocol, "unknown")


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


def route_label_sets(route: Route, names: dict[int, str]) -> list[tuple[str, ...]]:
    """The label values (device, src, dest, gw, priority, proto, weight) of one route's samples."""
    src = go_ip_string(route.prefsrc)
    dest = destination(route.dst, route.dst_len)
    priority = str(route.priority)
    proto = protocol_name(route.protocol)
    if route.multipath:
        # An unknown interface index reads as "", as node_exporter's link lookup leaves it.
        return [
            (names.get(hop.ifindex, ""), src, dest, go_ip_string(hop.gateway), priority, proto,
             str(hop.hops + 1))
            for hop in route.multipath
        ]
    return [(names.get(route.oif, ""), src, dest, go_ip_string(route.gateway), priority, proto, "")]


@register
class NetworkRouteCollector(Collector):
    name = "network_route"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.route_info = gauge(
            f"{NAMESPACE}_network_route_info", "network routing table information",
            "device", "src", "dest", "gw", "priority", "proto", "weight",
        )
        self.routes = gauge(f"{NAMESPACE}_network_routes", "network routes by interface", "device")

    def collect(self) -> Iterator[MetricFamily]:
        routes, names = rtnetlink.routes(self.settings.collector_timeout)
        info = self.route_info.family()
        per_device: Counter[str] = Counter()
        for route in routes:
            # node_exporter compares rtm_type with RTA_DST (both 1): it keeps the unicast routes.
            if route.type != RTN_UNICAST:
                continue
            for labels in route_label_sets(route, names):
                info.add(1, *labels)
                per_device[labels[0]] += 1
        counts = self.routes.family()
        for device, total in per_device.items():
            counts.add(total, device)
        # client_golang prints no HELP/TYPE for a family without samples.
        yield from (family for family in (info, counts) if family.samples)
