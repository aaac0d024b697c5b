import socket
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyexporter import netlink
from pyexporter.errors import ParseError


def attr(attr_type: int, data: bytes) -> bytes:
    raw = struct.pack("=HH", 4 + len(data), attr_type) + data
    return raw + b"\0" * (-len(raw) % 4)


def message(msg_type: int, payload: bytes, seq: int = 1) -> bytes:
    raw = struct.pack("=IHHII", 16 + len(payload), msg_type, netlink.NLM_F_MULTI, seq, 0) + payload
    return raw + b"\0" * (-len(raw) % 4)


def link_payload(index: int, name: str, stats: bytes | None = None, stats_type: int = netlink.IFLA_STATS64):
    body = struct.pack("=BxHiII", 0, 1, index, 0, 0) + attr(netlink.IFLA_IFNAME, name.encode() + b"\0")
    if stats is not None:
        body += attr(stats_type, stats)
    return body


def test_parse_link_with_stats64():
    values = list(range(1, 25))
    link = netlink.parse_link(link_payload(7, "eth0", struct.pack("=24Q", *values)))
    assert link.index == 7 and link.name == "eth0"
    assert link.stats["rx_packets"] == 1
    assert link.stats["rx_bytes"] == 3
    assert link.stats["rx_nohandler"] == 24


def test_parse_link_stats32_without_nohandler():
    link = netlink.parse_link(link_payload(1, "lo", struct.pack("=23I", *range(23)),
                                           netlink.IFLA_STATS))
    assert link.stats["tx_compressed"] == 22
    assert link.stats["rx_nohandler"] == 0


def test_parse_link_stats64_wins_over_stats32():
    payload = link_payload(1, "lo", struct.pack("=23I", *([9] * 23)), netlink.IFLA_STATS)
    payload += attr(netlink.IFLA_STATS64, struct.pack("=25Q", *([5] * 25)))
    assert netlink.parse_link(payload).stats["rx_bytes"] == 5


def test_parse_link_without_stats():
    assert netlink.parse_link(link_payload(3, "dummy0")).stats is None


def test_parse_link_without_attributes_is_skipped():
    assert netlink.parse_link(struct.pack("=BxHiII", 0, 1, 3, 0, 0)) is None


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\0" * 15,
        link_payload(1, "x", b"\0" * 8),  # statistics far too short
        struct.pack("=BxHiII", 0, 1, 3, 0, 0) + struct.pack("=HH", 200, 3) + b"abcd",  # attribute overruns
        struct.pack("=BxHiII", 0, 1, 3, 0, 0) + struct.pack("=HH", 2, 3),  # attribute shorter than its header
    ],
)
def test_parse_link_rejects_garbage(payload):
    with pytest.raises(ParseError):
        netlink.parse_link(payload)


def test_parse_messages_walks_aligned_messages():
    data = message(netlink.RTM_NEWLINK, b"abcde") + message(netlink.NLMSG_DONE, b"\0\0\0\0")
    parsed = list(netlink.parse_messages(data))
    assert [(t, p) for t, _f, _s, p in parsed] == [(netlink.RTM_NEWLINK, b"abcde"),
                                                    (netlink.NLMSG_DONE, b"\0\0\0\0")]


@pytest.mark.parametrize("data", [b"\x01\x02", struct.pack("=IHHII", 100, 16, 0, 1, 0),
                                  struct.pack("=IHHII", 4, 16, 0, 1, 0)])
def test_parse_messages_rejects_truncation(data):
    with pytest.raises(ParseError):
        list(netlink.parse_messages(data))


def test_parse_neighbour():
    payload = struct.pack("=BxxxiHBB", socket.AF_INET, 4, netlink.NUD_NOARP, 0, 0)
    payload += attr(netlink.NDA_DST, bytes([10, 0, 0, 1]))
    neigh = netlink.parse_neighbour(payload)
    assert (neigh.index, neigh.state, neigh.has_attributes) == (4, netlink.NUD_NOARP, True)
    with pytest.raises(ParseError):
        netlink.parse_neighbour(b"\0" * 4)


def test_parse_address_prefers_local():
    payload = struct.pack("=BBBBI", socket.AF_INET, 32, 0, 0, 2)
    payload += attr(netlink.IFA_ADDRESS, bytes([10, 0, 0, 2])) + attr(netlink.IFA_LOCAL, bytes([10, 0, 0, 1]))
    addr = netlink.parse_address(payload)
    assert (addr.index, addr.prefix_len, addr.address) == (2, 32, bytes([10, 0, 0, 1]))


def test_parse_address_skips_other_families_and_rejects_short_addresses():
    assert netlink.parse_address(struct.pack("=BBBBI", 17, 0, 0, 0, 1) + attr(1, b"\0" * 6)) is None
    with pytest.raises(ParseError):
        netlink.parse_address(struct.pack("=BBBBI", socket.AF_INET6, 64, 0, 0, 1) + attr(1, b"\0" * 4))


@given(st.binary(max_size=200))
def test_parsers_raise_only_parse_error(data):
    for parse in (netlink.parse_link, netlink.parse_neighbour, netlink.parse_address,
                  lambda d: list(netlink.parse_messages(d))):
        try:
            parse(data)
        except ParseError:
            pass


def _netlink_available() -> bool:
    try:
        socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _netlink_available(), reason="no rtnetlink socket here")
def test_live_dump_lists_loopback():
    links = netlink.links()
    lo = [link for link in links if link.name == "lo"]
    assert lo and lo[0].stats is not None
    assert any(addr.index == lo[0].index for addr in netlink.addresses())
