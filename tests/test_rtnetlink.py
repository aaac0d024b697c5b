"""pyexporter.rtnetlink: pyroute2's decoding of rtnetlink answers and their conversion.

The messages are built as the kernel sends them and decoded by pyroute2's own
marshal with the layouts the module registers, the path a live dump takes.
"""

import errno
import socket
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyroute2.netlink.exceptions import NetlinkError
from pyroute2.netlink.rtnl import RTM_NEWADDR, RTM_NEWLINK, RTM_NEWNEIGH, RTM_NEWSTATS
from pyroute2.netlink.rtnl.marshal import MarshalRtnl

from pyexporter import rtnetlink
from pyexporter.errors import ParseError

IFLA_IFNAME, IFLA_STATS, IFLA_STATS64 = 3, 7, 23
IFLA_STATS_LINK_64 = 1
IFA_ADDRESS, IFA_LOCAL = 1, 2
NDA_DST = 1
NLM_F_MULTI = 2
FIELDS = rtnetlink.LINK_STATS_FIELDS


def attr(attr_type: int, data: bytes) -> bytes:
    raw = struct.pack("=HH", 4 + len(data), attr_type) + data
    return raw + b"\0" * (-len(raw) % 4)


def message(msg_type: int, body: bytes) -> bytes:
    return struct.pack("=IHHII", 16 + len(body), msg_type, NLM_F_MULTI, 1, 0) + body


def decode(data: bytes) -> list:
    """What a dump yields for these bytes: pyroute2's marshal with the module's layouts."""
    marshal = MarshalRtnl()
    marshal.msg_map[RTM_NEWLINK] = rtnetlink.LinkMessage
    marshal.msg_map[RTM_NEWSTATS] = rtnetlink.LinkStatsMessage
    return list(marshal.parse(data))


def stats_message(index: int, stats: bytes | None, extra: bytes = b"") -> bytes:
    body = struct.pack("=BBHII", 0, 0, 0, index, 1)
    if stats is not None:
        body += attr(IFLA_STATS_LINK_64, stats)
    return message(RTM_NEWSTATS, body + extra)


def link_message(index: int, name: bytes, *attrs: bytes) -> bytes:
    body = struct.pack("=BxHiII", 0, 1, index, 0, 0)
    if name:
        body += attr(IFLA_IFNAME, name + b"\0")
    return message(RTM_NEWLINK, body + b"".join(attrs))


def counters(count: int, fmt: str = "Q", start: int = 1) -> bytes:
    return struct.pack(f"={count}{fmt}", *range(start, start + count))


@pytest.mark.parametrize(
    ("count", "nohandler"),
    [
        (24, 24),  # kernels 4.6 and later: rx_nohandler is the 24th counter
        (25, 24),  # newer kernels append rx_otherhost_dropped, which node_exporter does not expose
        (23, 0),  # kernels before 4.6 have no rx_nohandler
    ],
)
def test_stats_message(count, nohandler):
    [msg] = decode(stats_message(7, counters(count)))
    link = rtnetlink.link_from_stats_message(msg, {7: "eth0"})
    assert (link.index, link.name) == (7, "eth0")
    assert link.stats == {**dict(zip(FIELDS[:23], range(1, 24), strict=True)), "rx_nohandler": nohandler}


def test_stats_message_huge_counter():
    raw = struct.pack("=24Q", *([0] * 2 + [2**64 - 1] + [0] * 21))
    [msg] = decode(stats_message(1, raw))
    assert rtnetlink.link_from_stats_message(msg, {1: "lo"}).stats["rx_bytes"] == 2**64 - 1


@pytest.mark.parametrize("raw", [b"", b"\0" * 8, counters(22)])
def test_stats_too_short_are_rejected(raw):
    [msg] = decode(stats_message(1, raw))
    with pytest.raises(ParseError):
        rtnetlink.link_from_stats_message(msg, {1: "lo"})


def test_stats_message_of_vanished_interface_is_skipped():
    [msg] = decode(stats_message(9, counters(24)))
    assert rtnetlink.link_from_stats_message(msg, {1: "lo"}) is None


def test_stats_message_without_statistics():
    [msg] = decode(stats_message(1, None))
    assert rtnetlink.link_from_stats_message(msg, {1: "lo"}).stats is None


def test_link_message_with_stats64():
    [msg] = decode(link_message(2, b"eth0", attr(IFLA_STATS64, counters(24))))
    link = rtnetlink.link_from_message(msg)
    assert (link.index, link.name, link.stats["rx_bytes"], link.stats["rx_nohandler"]) == (2, "eth0", 3, 24)


def test_link_message_stats32_without_nohandler():
    [msg] = decode(link_message(1, b"lo", attr(IFLA_STATS, counters(23, "I", 0))))
    link = rtnetlink.link_from_message(msg)
    assert (link.stats["tx_compressed"], link.stats["rx_nohandler"]) == (22, 0)


def test_link_message_stats64_wins_over_stats32_and_last_attribute_wins():
    msg_bytes = link_message(1, b"lo", attr(IFLA_STATS64, struct.pack("=24Q", *[5] * 24)),
                             attr(IFLA_STATS, struct.pack("=24I", *[9] * 24)),
                             attr(IFLA_STATS64, struct.pack("=24Q", *[6] * 24)))
    [msg] = decode(msg_bytes)
    assert rtnetlink.link_from_message(msg).stats["rx_bytes"] == 6


def test_link_message_without_stats_or_attributes():
    [msg] = decode(link_message(3, b"dummy0"))
    assert rtnetlink.link_from_message(msg).stats is None
    [bare] = decode(link_message(3, b""))
    assert rtnetlink.link_from_message(bare) is None
    assert rtnetlink.link_from_message({"index": 3}) is None


def test_link_name_that_is_not_utf8():
    [msg] = decode(link_message(4, b"et\xffh"))
    assert rtnetlink.link_from_message(msg).name == "et\ufffdh"
    assert rtnetlink.interface_name("et\udcffh") == "et\ufffdh"  # if_nameindex's surrogate escape


def test_neighbour_message():
    body = struct.pack("=BxxxiHBB", socket.AF_INET, 4, rtnetlink.NUD_NOARP, 0, 0)
    [msg, bare] = decode(message(RTM_NEWNEIGH, body + attr(NDA_DST, bytes([10, 0, 0, 1])))
                         + message(RTM_NEWNEIGH, struct.pack("=BxxxiHBB", socket.AF_INET, 5, 2, 0, 0)))
    assert rtnetlink.neighbour_from_message(msg) == rtnetlink.Neighbour(4, rtnetlink.NUD_NOARP, True)
    assert rtnetlink.neighbour_from_message(bare) == rtnetlink.Neighbour(5, 2, False)


def address_message(family: int, prefix: int, index: int, *attrs: bytes) -> bytes:
    return message(RTM_NEWADDR, struct.pack("=BBBBI", family, prefix, 0, 0, index) + b"".join(attrs))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # Point-to-point: IFA_ADDRESS is the peer, IFA_LOCAL the interface's own address.
        (address_message(socket.AF_INET, 32, 2, attr(IFA_ADDRESS, bytes([10, 0, 0, 2])),
                         attr(IFA_LOCAL, bytes([10, 0, 0, 1]))),
         rtnetlink.Address(2, socket.AF_INET, 32, bytes([10, 0, 0, 1]))),
        (address_message(socket.AF_INET6, 64, 3, attr(IFA_ADDRESS, bytes.fromhex("fe80" + "00" * 13 + "01"))),
         rtnetlink.Address(3, socket.AF_INET6, 64, bytes.fromhex("fe80" + "00" * 13 + "01"))),
        (address_message(17, 0, 1, attr(IFA_ADDRESS, b"\0" * 6)), None),  # not an IP family
        (address_message(socket.AF_INET, 8, 1), None),  # no address at all
    ],
)
def test_address_message(data, expected):
    [msg] = decode(data)
    assert rtnetlink.address_from_message(msg) == expected


def test_address_too_short_for_its_family():
    [msg] = decode(address_message(socket.AF_INET6, 64, 1, attr(IFA_ADDRESS, b"\0" * 4)))
    with pytest.raises(ParseError):
        rtnetlink.address_from_message(msg)


@pytest.mark.parametrize(
    "msg",
    [
        b"garbage",
        None,
        {"attrs": 5, "index": 1},
        {"attrs": [7], "index": 1},
        {"attrs": [("IFLA_IFNAME", "x")], "index": "1"},
        {"attrs": [("IFLA_STATS64", {"rx_bytes": -1})], "index": 1},
        {"attrs": [("IFLA_STATS64", {"rx_bytes": "1"})], "index": 1},
        {"attrs": [("IFLA_IFNAME", 5)], "index": 1},
    ],
)
def test_link_conversion_rejects_nonsense(msg):
    with pytest.raises(ParseError):
        rtnetlink.link_from_message(msg)


_values = st.one_of(st.none(), st.integers(-5, 2**65), st.text(max_size=5), st.binary(max_size=20),
                    st.dictionaries(st.sampled_from(FIELDS), st.integers(-1, 2**64)))
_names = st.sampled_from(["IFLA_IFNAME", "IFLA_STATS", "IFLA_STATS64", "IFLA_STATS_LINK_64", "IFA_ADDRESS",
                          "IFA_LOCAL", "NDA_DST"])
_attrs = st.lists(st.tuples(_names, _values), max_size=4)
_messages = st.one_of(
    st.fixed_dictionaries({}, optional={
        "attrs": st.one_of(_attrs, _values, st.lists(_values, max_size=2)),
        "index": _values, "ifindex": _values, "family": st.sampled_from([2, 10, 0, "x"]),
        "prefixlen": _values, "state": _values}),
    _values,
)


@settings(max_examples=300, deadline=None)
@given(msg=_messages)
def test_conversions_raise_only_parse_error(msg):
    conversions = (rtnetlink.link_from_message, rtnetlink.neighbour_from_message,
                   rtnetlink.address_from_message, lambda m: rtnetlink.link_from_stats_message(m, {1: "lo"}))
    for convert in conversions:
        try:
            convert(msg)
        except ParseError:
            pass


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=220))
def test_any_stats_attribute_decodes_to_counters_or_parse_error(raw):
    [msg] = decode(stats_message(1, raw))
    try:
        stats = rtnetlink.link_from_stats_message(msg, {1: "lo"}).stats
    except ParseError:
        assert len(raw) < 23 * 8
        return
    assert set(stats) == set(FIELDS)
    assert stats["rx_packets"] == int.from_bytes(raw[:8], "little" if struct.pack("=H", 1)[0] else "big")


def _netlink_available() -> bool:
    try:
        socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE).close()
    except OSError:
        return False
    return True


live = pytest.mark.skipif(not _netlink_available(), reason="no rtnetlink socket here")


@pytest.fixture
def new_sockets():
    """Dumps in the test open their socket from rtnetlink.IPRoute as patched; none is kept after."""
    rtnetlink.close_socket()
    yield
    rtnetlink.close_socket()


@live
def test_live_dumps_share_one_socket_until_one_fails(new_sockets):
    rtnetlink.links()
    kept = rtnetlink._kept
    assert kept is not None
    rtnetlink.neighbours(socket.AF_INET)
    rtnetlink.addresses()
    assert rtnetlink._kept is kept

    def failing_dump():
        with rtnetlink.route_socket():
            raise NetlinkError(errno.EBUSY)

    with pytest.raises(NetlinkError):
        rtnetlink.netlink_thread.run(failing_dump)
    # The failed dump's socket is closed, not kept; the next dump opens a new one.
    assert rtnetlink._kept is None
    assert [link.name for link in rtnetlink.links()]
    assert rtnetlink._kept is not None and rtnetlink._kept is not kept


@live
def test_live_links_list_loopback_with_statistics():
    links = rtnetlink.links()
    lo = [link for link in links if link.name == "lo"]
    assert lo and lo[0].stats is not None and set(lo[0].stats) == set(FIELDS)
    assert {link.index: link.name for link in links} == rtnetlink.interface_names()
    assert any(addr.index == lo[0].index for addr in rtnetlink.addresses())


@live
def test_live_links_without_rtm_getstats_use_the_link_dump(monkeypatch, new_sockets):
    """A kernel before 4.7 refuses RTM_GETSTATS: the same links come from RTM_GETLINK."""
    class OldKernelIPRoute(rtnetlink.IPRoute):
        def stats(self, *args, **kwargs):
            raise NetlinkError(errno.EOPNOTSUPP)

    expected = rtnetlink.links()
    rtnetlink.close_socket()
    monkeypatch.setattr(rtnetlink, "IPRoute", OldKernelIPRoute)
    got = rtnetlink.links()
    assert [(link.index, link.name) for link in got] == [(link.index, link.name) for link in expected]
    assert all(link.stats is not None and set(link.stats) == set(FIELDS) for link in got)


@live
def test_live_other_refusals_are_errors(monkeypatch, new_sockets):
    class RefusingIPRoute(rtnetlink.IPRoute):
        def stats(self, *args, **kwargs):
            raise NetlinkError(errno.EPERM)

    monkeypatch.setattr(rtnetlink, "IPRoute", RefusingIPRoute)
    with pytest.raises(NetlinkError):
        rtnetlink.links()
