"""pyexporter.rtnetlink: the dumps collectors ask for, against a fake kernel and the running one."""

import errno
import socket
import struct

import pytest

from pyexporter import rtnetlink
from pyexporter.errors import ParseError
from pyexporter.netlink import conn, rtnl
from pyexporter.netlink.message import NetlinkError
from tests.netlink.peer import attr, dump_of, error, link_body, needs_rtnetlink, stats_body

FIELDS = rtnetlink.LINK_STATS_FIELDS


NAMES = dump_of(rtnl.RTM_NEWLINK, [link_body(1, b"lo"), link_body(2, b"eth0")])


def test_links_pair_statistics_with_names(fake_kernel):
    fake_kernel.handlers[rtnl.RTM_GETSTATS] = dump_of(
        rtnl.RTM_NEWSTATS, [stats_body(1, 100), stats_body(2, 200), stats_body(3, 300)])
    fake_kernel.handlers[rtnl.RTM_GETLINK] = NAMES
    links = rtnetlink.links(timeout=5)
    # Interface 3 went away between the two dumps: it is left out.
    assert [(link.index, link.name, link.stats["rx_packets"], link.stats["rx_nohandler"])
            for link in links] == [(1, "lo", 100, 123), (2, "eth0", 200, 223)]
    assert [(msg_type, payload) for _, msg_type, _, payload in fake_kernel.requests] == [
        (rtnl.RTM_GETSTATS, rtnl.stats_request()), (rtnl.RTM_GETLINK, rtnl.link_request())]


@pytest.mark.parametrize("code", [errno.EOPNOTSUPP, errno.EINVAL])
def test_links_without_rtm_getstats_come_from_the_link_dump(fake_kernel, code):
    """A kernel before 4.7 refuses RTM_GETSTATS: the statistics come with the full link dump."""
    fake_kernel.handlers[rtnl.RTM_GETSTATS] = lambda seq, _payload: [error(code, seq)]
    fake_kernel.handlers[rtnl.RTM_GETLINK] = dump_of(rtnl.RTM_NEWLINK, [
        link_body(1, b"lo", attr(rtnl.IFLA_STATS64, struct.pack("=24Q", *range(5, 29)))),
        link_body(2, b"eth0", attr(rtnl.IFLA_STATS, struct.pack("=23I", *range(23)))),
        rtnl.IFINFOMSG.pack(0, 1, 3, 0, 0),  # no attributes: skipped, as Go's rtnetlink skips it
    ])
    links = rtnetlink.links(timeout=5)
    assert [(link.index, link.name, link.stats["rx_packets"]) for link in links] == [
        (1, "lo", 5), (2, "eth0", 0)]
    assert fake_kernel.requests[-1][1:] == (rtnl.RTM_GETLINK, 0x301, rtnl.link_request())


def test_other_refusals_are_errors(fake_kernel):
    fake_kernel.handlers[rtnl.RTM_GETSTATS] = lambda seq, _payload: [error(errno.EPERM, seq)]
    with pytest.raises(NetlinkError) as info:
        rtnetlink.links(timeout=5)
    assert info.value.errno == errno.EPERM


def test_an_answer_of_another_type_is_a_parse_error(fake_kernel):
    fake_kernel.handlers[rtnl.RTM_GETNEIGH] = dump_of(rtnl.RTM_NEWLINK, [link_body(1, b"lo")])
    with pytest.raises(ParseError):
        rtnetlink.neighbours(socket.AF_INET, timeout=5)


def test_neighbours_addresses_routes_and_qdiscs(fake_kernel):
    fake_kernel.handlers[rtnl.RTM_GETNEIGH] = dump_of(rtnl.RTM_NEWNEIGH, [
        rtnl.NDMSG.pack(socket.AF_INET, 2, 0x02, 0, 0) + attr(1, socket.inet_aton("10.0.0.1")),
        rtnl.NDMSG.pack(socket.AF_INET, 1, rtnl.NUD_NOARP, 0, 0)])
    fake_kernel.handlers[rtnl.RTM_GETADDR] = dump_of(rtnl.RTM_NEWADDR, [
        rtnl.IFADDRMSG.pack(socket.AF_INET, 8, 0, 0, 1)
        + attr(rtnl.IFA_ADDRESS, socket.inet_aton("127.0.0.1")),
        rtnl.IFADDRMSG.pack(socket.AF_PACKET, 0, 0, 0, 1)])
    fake_kernel.handlers[rtnl.RTM_GETROUTE] = dump_of(rtnl.RTM_NEWROUTE, [
        rtnl.RTMSG.pack(socket.AF_INET, 0, 0, 0, 254, 3, 0, 1, 0) + attr(rtnl.RTA_OIF, struct.pack("=I", 2))])
    fake_kernel.handlers[rtnl.RTM_GETLINK] = NAMES
    fake_kernel.handlers[rtnl.RTM_GETQDISC] = dump_of(rtnl.RTM_NEWQDISC, [
        rtnl.TCMSG.pack(0, 2, 0, rtnl.TC_H_ROOT, 1) + attr(rtnl.TCA_KIND, b"noqueue\0")])
    assert rtnetlink.neighbours(socket.AF_INET, timeout=5) == [
        rtnetlink.Neighbour(2, 0x02, True), rtnetlink.Neighbour(1, rtnetlink.NUD_NOARP, False)]
    assert fake_kernel.requests[-1][3] == rtnl.neighbour_request(socket.AF_INET)
    assert rtnetlink.addresses(timeout=5) == [
        rtnetlink.Address(1, socket.AF_INET, 8, socket.inet_aton("127.0.0.1"))]
    routes, names = rtnetlink.routes(timeout=5)
    assert ([(r.oif, r.protocol) for r in routes], names) == ([(2, 3)], {1: "lo", 2: "eth0"})
    assert [(q.index, q.parent, q.kind) for q in rtnetlink.qdiscs(timeout=5)] == [(2, 0, "noqueue")]


def test_interface_names(fake_kernel):
    fake_kernel.handlers[rtnl.RTM_GETLINK] = dump_of(rtnl.RTM_NEWLINK, [
        link_body(1, b"lo"), link_body(4, b"w\xfflan"), rtnl.IFINFOMSG.pack(0, 1, 5, 0, 0)])
    assert rtnetlink.interface_names(timeout=5) == {1: "lo", 4: "w\ufffdlan"}


@needs_rtnetlink
def test_live_links_list_loopback_with_statistics():
    links = rtnetlink.links(timeout=5)
    lo = [link for link in links if link.name == "lo"]
    assert lo and lo[0].stats is not None and set(lo[0].stats) == set(FIELDS)
    assert {link.index: link.name for link in links} == dict(socket.if_nameindex())
    assert rtnetlink.interface_names(timeout=5) == dict(socket.if_nameindex())
    assert any(addr.index == lo[0].index for addr in rtnetlink.addresses(timeout=5))


@needs_rtnetlink
def test_live_full_link_dump_agrees_with_the_statistics_dump():
    """The pre-4.7 path on this kernel: the same links, with the same set of counters."""
    full = [rtnl.link_from_message(m.payload)
            for m in conn.dump(socket.NETLINK_ROUTE, rtnl.RTM_GETLINK, rtnl.link_request(), 5)]
    assert [(link.index, link.name) for link in full] == [
        (link.index, link.name) for link in rtnetlink.links(timeout=5)]
    assert all(link.stats is not None and set(link.stats) == set(FIELDS) for link in full)


@needs_rtnetlink
def test_live_neighbours_routes_and_qdiscs():
    assert all(isinstance(n.index, int) for n in rtnetlink.neighbours(socket.AF_INET, timeout=5))
    routes, names = rtnetlink.routes(timeout=5)
    assert any(route.oif in names for route in routes)
    qdiscs = rtnetlink.qdiscs(timeout=5)
    assert {q.index for q in qdiscs} <= set(names)
