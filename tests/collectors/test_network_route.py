"""network_route: label derivation, the collector, and a live comparison with node_exporter in a private
network namespace (route messages are decoded in tests/netlink/test_rtnl.py).

Run as a module (`unshare --net python -m tests.collectors.test_network_route`) it sets up links
and routes in the namespace it is in and prints what both exporters report; the live test does that.
"""

from __future__ import annotations

import socket

import pytest

from pyexporter import rtnetlink
from pyexporter.collectors.network_route import (
    NetworkRouteCollector,
    destination,
    go_ip_string,
    protocol_name,
    route_label_sets,
)
from pyexporter.netlink.rtnl import NextHop, Route
from tests.support import (
    collect_text,
    compare_in_new_namespace,
    make_collector,
    print_reports,
    set_up_namespace,
)

V4 = socket.inet_aton


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (None, ""),
        (b"", ""),
        (V4("192.168.0.1"), "192.168.0.1"),
        (socket.inet_pton(socket.AF_INET6, "2001:db8::1"), "2001:db8::1"),
        (socket.inet_pton(socket.AF_INET6, "2001:db8:0:1:0:0:0:1"), "2001:db8:0:1::1"),
        (socket.inet_pton(socket.AF_INET6, "2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1"),
        (socket.inet_pton(socket.AF_INET6, "::ffff:10.0.0.1"), "10.0.0.1"),  # Go prints mapped v4 dotted
        (bytes(16), "::"),
        (b"\x01\x02\x03", "?010203"),
    ],
)
def test_go_ip_string(raw, text):
    assert go_ip_string(raw) == text


@pytest.mark.parametrize(
    ("dst", "dst_len", "text"),
    [
        (None, 0, "default"),
        (V4("10.0.0.0"), 0, "default"),
        (V4("10.0.0.0"), 8, "10.0.0.0/8"),
        (V4("10.0.0.1"), 32, "10.0.0.1/32"),
        (socket.inet_pton(socket.AF_INET6, "fe80::"), 64, "fe80::/64"),
        (socket.inet_pton(socket.AF_INET6, "::ffff:10.0.0.0"), 24, "10.0.0.0/24"),
        (socket.inet_pton(socket.AF_INET6, "::ffff:0.0.0.0"), 96, "<nil>"),  # no 96-bit mask of a v4 address
        (V4("10.0.0.0"), 33, "<nil>"),
        (None, 8, "<nil>"),
    ],
)
def test_destination(dst, dst_len, text):
    assert destination(dst, dst_len) == text


def test_protocol_names():
    assert [protocol_name(p) for p in (0, 2, 3, 4, 12, 186, 192, 5, 255)] == [
        "unspec", "kernel", "boot", "static", "bird", "bgp", "eigrp", "unknown", "unknown"]


def _route(**changes) -> Route:
    base = {"family": 2, "dst_len": 24, "protocol": 2, "type": 1, "dst": V4("10.0.0.0"), "prefsrc": None,
            "gateway": None, "oif": 2, "priority": 0, "multipath": ()}
    return Route(**{**base, **changes})


def test_label_sets_of_multipath_route_use_each_hop():
    route = _route(multipath=(NextHop(2, 1, V4("10.0.0.1")), NextHop(9, 0, None)), oif=0,
                   gateway=V4("1.1.1.1"))
    assert route_label_sets(route, {2: "eth0"}) == [
        ("eth0", "", "10.0.0.0/24", "10.0.0.1", "0", "kernel", "2"),
        ("", "", "10.0.0.0/24", "", "0", "kernel", "1"),  # interface index without a name
    ]


def test_collector_counts_unicast_routes_per_device(monkeypatch, tmp_path):
    routes = [
        _route(),
        _route(dst=V4("10.1.0.0"), prefsrc=V4("10.1.0.5"), priority=5),
        _route(type=2, dst=V4("10.0.0.1"), dst_len=32),  # local: not reported
        _route(type=6),  # blackhole: not reported
        _route(dst=None, dst_len=0, gateway=V4("10.0.0.254"), oif=3, protocol=16),
        _route(multipath=(NextHop(2, 0, V4("10.0.0.7")), NextHop(3, 4, V4("10.0.0.8")))),
    ]
    monkeypatch.setattr(rtnetlink, "routes", lambda timeout: (routes, {2: "eth0", 3: "wlan0"}))
    text = collect_text(make_collector("network_route", tmp_path))
    assert text == """\
# HELP node_network_route_info network routing table information
# TYPE node_network_route_info gauge
node_network_route_info{dest="10.0.0.0/24",device="eth0",gw="",priority="0",proto="kernel",src="",weight=""} 1
node_network_route_info{dest="10.0.0.0/24",device="eth0",gw="10.0.0.7",priority="0",proto="kernel",src="",weight="1"} 1
node_network_route_info{dest="10.0.0.0/24",device="wlan0",gw="10.0.0.8",priority="0",proto="kernel",src="",weight="5"} 1
node_network_route_info{dest="10.1.0.0/24",device="eth0",gw="",priority="5",proto="kernel",src="10.1.0.5",weight=""} 1
node_network_route_info{dest="default",device="wlan0",gw="10.0.0.254",priority="0",proto="dhcp",src="",weight=""} 1
# HELP node_network_routes network routes by interface
# TYPE node_network_routes gauge
node_network_routes{device="eth0"} 3
node_network_routes{device="wlan0"} 2
"""  # noqa: E501


def test_collector_without_routes_has_no_families(monkeypatch, tmp_path):
    monkeypatch.setattr(rtnetlink, "routes", lambda timeout: ([_route(type=2)], {}))
    assert list(make_collector("network_route", tmp_path).collect()) == []


def test_collector_is_off_by_default_and_has_no_flags():
    assert (NetworkRouteCollector.default_enabled, NetworkRouteCollector.flags) == (False, ())


# --- live comparison in a private network namespace ------------------------------------------

_SETUP = [
    "ip link set lo up",
    "ip link add rt0 type veth peer name rt0p",
    "ip link add rt1 type veth peer name rt1p",
    "ip link set rt0 up", "ip link set rt0p up", "ip link set rt1 up", "ip link set rt1p up",
    "ip addr add 10.1.0.2/24 dev rt0",
    "ip addr add 10.2.0.2/24 dev rt1",
    "ip -6 addr add 2001:db8::2/64 dev rt0 nodad",
    "ip route add default via 10.1.0.1 dev rt0 metric 100",
    "ip route add 192.168.5.0/24 via 10.2.0.1 dev rt1 proto static",
    "ip route add 172.16.0.0/16 nexthop via 10.1.0.1 dev rt0 weight 2 nexthop via 10.2.0.1 dev rt1 weight 1",
    "ip route add 10.9.0.0/16 dev rt1 src 10.2.0.2 table 100",
    "ip route add blackhole 10.99.0.0/16",
    "ip -6 route add 2001:db8:1::/48 via 2001:db8::1 dev rt0 proto bird",
]


def _route_lines(text: str) -> list[str]:
    return sorted(line for line in text.splitlines()
                  if line.startswith(("node_network_route", "# HELP node_network_route",
                                      "# TYPE node_network_route")))


def _in_namespace() -> None:
    set_up_namespace(_SETUP)
    print_reports(["network_route"])


def test_live_routes_agree_with_node_exporter():
    """node_exporter 1.5.0 and 1.12.1 share this collector's code (the Go file only changed its
    logger), so the reference binary's output is 1.12.1's here."""
    outputs = compare_in_new_namespace("tests.collectors.test_network_route")
    ours = _route_lines(outputs["pyexporter"])
    assert any('dest="172.16.0.0/16"' in line and 'weight="2"' in line for line in ours)
    assert any('dest="2001:db8:1::/48"' in line for line in ours)
    assert ours == _route_lines(outputs["node_exporter"])


if __name__ == "__main__":
    _in_namespace()
