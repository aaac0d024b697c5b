"""pyexporter.netlink.rtnl and .diag: requests, and answers decoded from bytes as the kernel sends them."""

import socket
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyexporter.errors import ParseError
from pyexporter.netlink import diag, rtnl
from pyexporter.netlink.rtnl import (
    LINK_STATS_FIELDS,
    NUD_NOARP,
    TC_H_ROOT,
    Address,
    Link,
    Neighbour,
    NextHop,
    Qdisc,
    Route,
    parse_multipath,
)
from tests.netlink.peer import attr

FIELDS = LINK_STATS_FIELDS
V4 = socket.inet_aton
IFLA_ADDRESS, IFLA_MTU, IFLA_AF_SPEC = 1, 4, 26
RTA_TABLE = 15
NDA_DST, NDA_LLADDR = 1, 2


def counters(count: int, fmt: str = "Q", start: int = 1) -> bytes:
    return struct.pack(f"={count}{fmt}", *range(start, start + count))


def stats_body(index: int, stats: bytes | None, extra: bytes = b"") -> bytes:
    body = rtnl.IF_STATS_MSG.pack(0, index, 1)
    if stats is not None:
        body += attr(rtnl.IFLA_STATS_LINK_64, stats)
    return body + extra


def link_body(index: int, name: bytes, *attrs: bytes) -> bytes:
    body = rtnl.IFINFOMSG.pack(0, 1, index, 0, 0)
    if name:
        body += attr(rtnl.IFLA_IFNAME, name + b"\0")
    return body + b"".join(attrs)


# --- requests ---------------------------------------------------------------------------------------------

def test_requests():
    assert rtnl.link_request() == bytes(16)
    assert rtnl.stats_request() == struct.pack("=BxxxII", 0, 0, 1)
    assert rtnl.neighbour_request(socket.AF_INET) == struct.pack("=BxxxiHBB", 2, 0, 0, 0, 0)
    assert rtnl.address_request() == bytes(8)
    assert rtnl.route_request() == bytes(12)
    assert rtnl.qdisc_request() == bytes(20)
    assert diag.tcp_sockets_request(socket.AF_INET6) == struct.pack("=BBBxI", 10, 6, 0, 0xFFF) + bytes(48)


# --- link statistics ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("count", "nohandler"),
    [
        (24, 24),  # kernels 4.6 and later: rx_nohandler is the 24th counter
        (25, 24),  # newer kernels append rx_otherhost_dropped, which node_exporter does not expose
        (23, 0),  # kernels before 4.6 have no rx_nohandler
    ],
)
def test_stats_message(count, nohandler):
    index, stats = rtnl.stats_from_message(stats_body(7, counters(count)))
    assert index == 7
    assert stats == {**dict(zip(FIELDS[:23], range(1, 24), strict=True)), "rx_nohandler": nohandler}


def test_stats_message_huge_counter_and_last_attribute_wins():
    raw = struct.pack("=24Q", *([0] * 2 + [2**64 - 1] + [0] * 21))
    assert rtnl.stats_from_message(stats_body(1, counters(24), attr(1, raw)))[1]["rx_bytes"] == 2**64 - 1


def test_stats_message_without_statistics():
    assert rtnl.stats_from_message(stats_body(1, None)) == (1, None)
    assert rtnl.stats_from_message(stats_body(1, None, attr(9, b"other"))) == (1, None)


@pytest.mark.parametrize(
    "payload",
    [
        b"",  # empty
        stats_body(1, None)[:8],  # truncated header
        stats_body(1, b""),  # statistics of no counter
        stats_body(1, b"\0" * 8),
        stats_body(1, counters(22)),  # one counter short
        stats_body(1, counters(24))[:-10],  # attribute cut off
        stats_body(1, None) + b"\xff\xff\xff",  # garbage after the header
    ],
)
def test_stats_message_rejects(payload):
    with pytest.raises(ParseError):
        rtnl.stats_from_message(payload)


def test_link_message_with_stats64():
    link = rtnl.link_from_message(link_body(2, b"eth0", attr(IFLA_MTU, struct.pack("=I", 1500)),
                                            attr(rtnl.IFLA_STATS64, counters(24)),
                                            attr(IFLA_AF_SPEC, attr(2, b"nested"))))
    assert (link.index, link.name, link.stats["rx_bytes"], link.stats["rx_nohandler"]) == (2, "eth0", 3, 24)


def test_link_message_stats32_without_nohandler():
    link = rtnl.link_from_message(link_body(1, b"lo", attr(rtnl.IFLA_STATS, counters(23, "I", 0))))
    assert (link.stats["tx_compressed"], link.stats["rx_nohandler"]) == (22, 0)


def test_link_message_stats64_wins_over_stats32_and_last_attribute_wins():
    link = rtnl.link_from_message(link_body(1, b"lo", attr(rtnl.IFLA_STATS64, struct.pack("=24Q", *[5] * 24)),
                                            attr(rtnl.IFLA_STATS, struct.pack("=24I", *[9] * 24)),
                                            attr(rtnl.IFLA_STATS64, struct.pack("=24Q", *[6] * 24))))
    assert link.stats["rx_bytes"] == 6


def test_link_message_without_stats_or_attributes():
    assert rtnl.link_from_message(link_body(3, b"dummy0")) == Link(3, "dummy0", None)
    assert rtnl.link_from_message(link_body(3, b"")) is None  # Go's rtnetlink leaves Attributes nil


def test_link_name_that_is_not_utf8():
    assert rtnl.link_from_message(link_body(4, b"et\xffh")).name == "et\ufffdh"
    assert rtnl.link_name_from_message(link_body(4, b"et\xffh")) == (4, "et\ufffdh")


@pytest.mark.parametrize("payload", [b"", bytes(15),
                                     link_body(1, b"lo", attr(rtnl.IFLA_STATS64, counters(3))),
                                     link_body(1, b"lo", attr(rtnl.IFLA_STATS, counters(22, "I"))),
                                     link_body(1, b"lo") + b"\x01"])
def test_link_message_rejects(payload):
    with pytest.raises(ParseError):
        rtnl.link_from_message(payload)


def test_link_name_walk_stops_at_the_name():
    assert rtnl.link_name_from_message(link_body(9, b"wlan0", b"\xff" * 3)) == (9, "wlan0")
    assert rtnl.link_name_from_message(link_body(9, b"", attr(IFLA_MTU, bytes(4)))) is None
    with pytest.raises(ParseError):
        rtnl.link_name_from_message(bytes(10))


# --- neighbours and addresses -----------------------------------------------------------------------------

def test_neighbour_message():
    body = rtnl.NDMSG.pack(socket.AF_INET, 4, NUD_NOARP, 0, 0)
    assert rtnl.neighbour_from_message(body + attr(NDA_DST, V4("10.0.0.1")) + attr(NDA_LLADDR, bytes(6))) == \
        Neighbour(4, NUD_NOARP, True)
    assert rtnl.neighbour_from_message(rtnl.NDMSG.pack(socket.AF_INET, 5, 2, 0, 0)) == Neighbour(5, 2, False)


@pytest.mark.parametrize("payload", [b"", bytes(11), rtnl.NDMSG.pack(2, 1, 2, 0, 0) + b"\x09\x00\x01"])
def test_neighbour_message_rejects(payload):
    with pytest.raises(ParseError):
        rtnl.neighbour_from_message(payload)


def address_body(family: int, prefix: int, index: int, *attrs: bytes) -> bytes:
    return rtnl.IFADDRMSG.pack(family, prefix, 0, 0, index) + b"".join(attrs)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        # Point-to-point: IFA_ADDRESS is the peer, IFA_LOCAL the interface's own address.
        (address_body(socket.AF_INET, 32, 2, attr(rtnl.IFA_ADDRESS, V4("10.0.0.2")),
                      attr(rtnl.IFA_LOCAL, V4("10.0.0.1"))),
         Address(2, socket.AF_INET, 32, V4("10.0.0.1"))),
        (address_body(socket.AF_INET6, 64, 3,
                      attr(rtnl.IFA_ADDRESS, bytes.fromhex("fe80" + "00" * 13 + "01"))),
         Address(3, socket.AF_INET6, 64, bytes.fromhex("fe80" + "00" * 13 + "01"))),
        (address_body(17, 0, 1, attr(rtnl.IFA_ADDRESS, b"\0" * 6)), None),  # not an IP family
        (address_body(socket.AF_INET, 8, 1), None),  # no address at all
    ],
)
def test_address_message(payload, expected):
    assert rtnl.address_from_message(payload) == expected


@pytest.mark.parametrize("payload", [b"", bytes(7),
                                     address_body(socket.AF_INET6, 64, 1, attr(rtnl.IFA_ADDRESS, bytes(4))),
                                     address_body(socket.AF_INET, 8, 1, attr(rtnl.IFA_LOCAL, bytes(16))),
                                     address_body(socket.AF_INET, 8, 1) + b"\x01\x02"])
def test_address_message_rejects(payload):
    with pytest.raises(ParseError):
        rtnl.address_from_message(payload)


# --- routes ---------------------------------------------------------------------------------------------

def route_body(family: int, dst_len: int, *attrs: bytes, proto: int = 2, rtype: int = 1) -> bytes:
    return rtnl.RTMSG.pack(family, dst_len, 0, 0, 254, proto, 0, rtype, 0) + b"".join(attrs)


def hop(ifindex: int, hops: int, *attrs: bytes) -> bytes:
    payload = b"".join(attrs)
    return struct.pack("=HBBi", 8 + len(payload), 0, hops, ifindex) + payload


def test_route_message_with_every_attribute():
    route = rtnl.route_from_message(route_body(
        socket.AF_INET, 24, attr(RTA_TABLE, struct.pack("=I", 254)), attr(rtnl.RTA_DST, V4("10.1.0.0")),
        attr(rtnl.RTA_PREFSRC, V4("10.1.0.2")), attr(rtnl.RTA_GATEWAY, V4("10.1.0.1")),
        attr(rtnl.RTA_OIF, struct.pack("=I", 3)), attr(rtnl.RTA_PRIORITY, struct.pack("=I", 100)), proto=4))
    assert route == Route(socket.AF_INET, 24, 4, 1, V4("10.1.0.0"), V4("10.1.0.2"), V4("10.1.0.1"), 3, 100,
                          ())


def test_default_route_without_attributes():
    route = rtnl.route_from_message(route_body(socket.AF_INET, 0))
    assert (route.dst, route.oif, route.priority, route.multipath) == (None, 0, 0, ())


def test_multipath_route_message():
    nexthops = (hop(3, 1, attr(rtnl.RTA_GATEWAY, V4("10.1.0.1")))
                + hop(5, 0, attr(rtnl.RTA_GATEWAY, V4("10.2.0.1"))))
    route = rtnl.route_from_message(route_body(socket.AF_INET, 16, attr(rtnl.RTA_DST, V4("172.16.0.0")),
                                               attr(rtnl.RTA_MULTIPATH, nexthops)))
    assert route.multipath == (NextHop(3, 1, V4("10.1.0.1")), NextHop(5, 0, V4("10.2.0.1")))


@pytest.mark.parametrize(
    "payload",
    [
        # An address of neither 4 nor 16 bytes.
        route_body(socket.AF_INET, 8, attr(rtnl.RTA_DST, b"\x0a\x00\x00")),
        route_body(socket.AF_INET, 8, attr(rtnl.RTA_GATEWAY, b"")),
        route_body(socket.AF_INET, 8, attr(rtnl.RTA_PREFSRC, bytes(5))),
        route_body(socket.AF_INET, 8, attr(rtnl.RTA_OIF, b"\x01\x00")),  # not a uint32
        route_body(socket.AF_INET, 8, attr(rtnl.RTA_PRIORITY, bytes(8))),
        route_body(socket.AF_INET, 8, attr(rtnl.RTA_MULTIPATH, b"\x01\x02\x03")),
        b"",
        bytes(11),
        route_body(socket.AF_INET, 8) + b"\xff",
    ],
)
def test_malformed_routes_fail_the_message(payload):
    with pytest.raises(ParseError):
        rtnl.route_from_message(payload)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", ()),
        (hop(2, 0), (NextHop(2, 0, None),)),  # a next hop without gateway
        (hop(7, 254, attr(rtnl.RTA_GATEWAY, bytes(15) + b"\x01")), (NextHop(7, 254, bytes(15) + b"\x01"),)),
        (hop(2, 0, attr(99, b"zz")), (NextHop(2, 0, None),)),  # unknown nested attributes are skipped
        (hop(1, 0) + hop(2, 3), (NextHop(1, 0, None), NextHop(2, 3, None))),
    ],
)
def test_parse_multipath(data, expected):
    assert parse_multipath(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"\x08\x00",  # shorter than an rtnexthop
        hop(1, 0)[:7],
        struct.pack("=HBBi", 4, 0, 0, 1),  # length shorter than its own header
        struct.pack("=HBBi", 64, 0, 0, 1),  # length past the end
        hop(1, 0, attr(rtnl.RTA_GATEWAY, b"\x01\x02\x03")),  # gateway of neither 4 nor 16 bytes
        hop(1, 0) + b"\x00" * 3,
        # A nested attribute running past its next hop.
        struct.pack("=HBBi", 14, 0, 0, 1) + struct.pack("=HH", 40, rtnl.RTA_GATEWAY) + b"\0\0",
        struct.pack("=HBBi", 10, 0, 0, 1) + b"\x01\x00",  # truncated nested header
        b"\xff" * 64,
    ],
)
def test_parse_multipath_rejects_garbage(data):
    with pytest.raises(ParseError):
        parse_multipath(data)


# --- qdiscs ---------------------------------------------------------------------------------------------

def qdisc_body(index: int, parent: int, *attrs: bytes) -> bytes:
    return rtnl.TCMSG.pack(0, index, 0x10000, parent, 1) + b"".join(attrs)


def stats2(*nested: bytes) -> bytes:
    return attr(rtnl.TCA_STATS2, b"".join(nested))


BASIC = attr(rtnl.TCA_STATS_BASIC, struct.pack("=QI", 1000, 10) + bytes(4))  # the kernel pads it to 16
QUEUE = attr(rtnl.TCA_STATS_QUEUE, struct.pack("=5I", 1, 2, 3, 4, 5))
LEGACY = attr(rtnl.TCA_STATS, struct.pack("=QIIIIIII", 2000, 20, 30, 40, 0, 0, 50, 60))


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (qdisc_body(2, TC_H_ROOT, attr(rtnl.TCA_KIND, b"fq_codel\0"), stats2(BASIC, QUEUE)),
         Qdisc(2, 0, "fq_codel", 1000, 10, 3, 4, 5, 1, 2)),
        # The legacy block, sent after TCA_STATS2, has the last word on what it carries; requeues stay.
        (qdisc_body(2, TC_H_ROOT, attr(rtnl.TCA_KIND, b"pfifo\0"), stats2(BASIC, QUEUE), LEGACY),
         Qdisc(2, 0, "pfifo", 2000, 20, 30, 4, 40, 50, 60)),
        # A TCA_STATS2 without its parts zeroes the counters, as ema/qdisc's zero struct does.
        (qdisc_body(3, 0x10001, LEGACY, stats2()), Qdisc(3, 0x10001, "", 0, 0, 0, 0, 0, 0, 0)),
        (qdisc_body(1, TC_H_ROOT), Qdisc(1, 0, "", 0, 0, 0, 0, 0, 0, 0)),
    ],
)
def test_qdisc_message(payload, expected):
    assert rtnl.qdisc_from_message(payload) == expected


@pytest.mark.parametrize("payload", [b"", bytes(19), qdisc_body(1, 0, attr(rtnl.TCA_STATS, bytes(20))),
                                     qdisc_body(1, 0, stats2(attr(rtnl.TCA_STATS_BASIC, bytes(8)))),
                                     qdisc_body(1, 0, stats2(attr(rtnl.TCA_STATS_QUEUE, bytes(19)))),
                                     qdisc_body(1, 0, stats2(b"\x30\x00\x01\x00")),
                                     qdisc_body(1, 0) + b"\x05"])
def test_qdisc_message_rejects(payload):
    with pytest.raises(ParseError):
        rtnl.qdisc_from_message(payload)


# --- sock_diag ------------------------------------------------------------------------------------------

def diag_body(state: int, rqueue: int = 0, wqueue: int = 0, family: int = socket.AF_INET,
              inode: int = 7) -> bytes:
    return struct.pack("=BBBB48xIIIII", family, state, 0, 0, 0, rqueue, wqueue, 1000, inode)


def test_inet_diag_message():
    assert diag.inet_diag_from_message(diag_body(10, 5, 2**32 - 1, socket.AF_INET6, 99) + attr(1, b"x")) == \
        diag.InetDiagMessage(socket.AF_INET6, 10, 5, 2**32 - 1, 1000, 99)


@pytest.mark.parametrize("payload", [b"", diag_body(1)[:71]])
def test_inet_diag_message_rejects(payload):
    with pytest.raises(ParseError):
        diag.inet_diag_from_message(payload)


# --- any bytes ------------------------------------------------------------------------------------------

DECODERS = (rtnl.stats_from_message, rtnl.link_from_message, rtnl.link_name_from_message,
            rtnl.neighbour_from_message, rtnl.address_from_message, rtnl.route_from_message,
            rtnl.qdisc_from_message, parse_multipath, diag.inet_diag_from_message)


@given(payload=st.binary(max_size=300))
def test_decoders_raise_only_parse_error(payload):
    for decode in DECODERS:
        try:
            decode(payload)
        except ParseError:
            pass


@given(raw=st.binary(max_size=220))
def test_any_stats_attribute_decodes_to_counters_or_parse_error(raw):
    try:
        _, stats = rtnl.stats_from_message(stats_body(1, raw))
    except ParseError:
        assert len(raw) < 23 * 8
        return
    assert set(stats) == set(FIELDS)
    assert stats["rx_packets"] == struct.unpack_from("=Q", raw)[0]
