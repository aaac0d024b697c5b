"""pyexporter.netlink.conn: requests against a fake kernel (socketpair) and the running kernel."""

import errno
import socket
import struct
import time

import pytest

from pyexporter.errors import ParseError
from pyexporter.netlink import conn, rtnl
from pyexporter.netlink.message import NLM_F_DUMP, NLM_F_REQUEST, NetlinkError
from tests.netlink.peer import PORT, done, dump_of, error, message, needs_rtnetlink

GETLINK, NEWLINK = rtnl.RTM_GETLINK, rtnl.RTM_NEWLINK


def test_a_dump_is_read_over_several_datagrams_until_done(fake_kernel):
    fake_kernel.handlers[GETLINK] = dump_of(NEWLINK, [b"one", b"two", b"three"], per_datagram=1)
    messages = conn.dump(socket.NETLINK_ROUTE, GETLINK, b"request", timeout=5)
    assert [(m.type, m.payload) for m in messages] == [
        (NEWLINK, b"one"), (NEWLINK, b"two"), (NEWLINK, b"three")]
    [(protocol, msg_type, flags, payload)] = fake_kernel.requests
    assert (protocol, msg_type, flags, payload) == (socket.NETLINK_ROUTE, GETLINK, NLM_F_REQUEST | NLM_F_DUMP,
                                                    b"request")
    # The socket is the request's own: closed once the reply is read.
    assert all(sock.fileno() == -1 for sock in fake_kernel.sockets)


def test_each_request_has_its_own_sequence_number(fake_kernel):
    seen = []

    def answer(seq, _payload):
        seen.append(seq)
        return [done(seq)]

    fake_kernel.handlers[GETLINK] = answer
    conn.dump(socket.NETLINK_ROUTE, GETLINK, b"", timeout=5)
    conn.dump(socket.NETLINK_ROUTE, GETLINK, b"", timeout=5)
    assert len(set(seen)) == 2 and 0 not in seen


def test_a_refusal_is_a_netlink_error(fake_kernel):
    fake_kernel.handlers[GETLINK] = lambda seq, _payload: [error(errno.EPERM, seq)]
    with pytest.raises(NetlinkError) as info:
        conn.dump(socket.NETLINK_ROUTE, GETLINK, b"", timeout=5)
    assert info.value.errno == errno.EPERM
    assert all(sock.fileno() == -1 for sock in fake_kernel.sockets)


@pytest.mark.parametrize(
    "answer",
    [
        lambda seq: [message(NEWLINK, b"x", seq + 1) + done(seq + 1)],  # answers another request
        lambda seq: [message(NEWLINK, b"x", seq, pid=PORT + 1) + done(seq)],  # for another socket
        lambda seq: [b"\x05\x00\x00\x00garbage"],
        lambda seq: [b""],  # an empty datagram
        lambda seq: [message(NEWLINK, bytes(conn.RECEIVE_BUFFER), seq)],  # larger than the receive buffer
    ],
)
def test_replies_that_are_not_netlink_answers_are_parse_errors(fake_kernel, answer):
    fake_kernel.handlers[GETLINK] = lambda seq, _payload: answer(seq)
    with pytest.raises(ParseError):
        conn.dump(socket.NETLINK_ROUTE, GETLINK, b"", timeout=5)


def test_a_peer_that_never_answers_costs_the_timeout(fake_kernel):
    started = time.monotonic()
    with pytest.raises(TimeoutError, match=r"not answered within 0\.3s"):
        conn.dump(socket.NETLINK_ROUTE, GETLINK, b"", timeout=0.3)
    assert 0.3 <= time.monotonic() - started < 3
    assert all(sock.fileno() == -1 for sock in fake_kernel.sockets)


def test_the_deadline_is_for_the_whole_reply(fake_kernel):
    """A peer that keeps sending, a message at a time, never gets the request more than its timeout."""
    def dribble(seq, _payload):
        for _ in range(100):
            time.sleep(0.05)
            yield message(NEWLINK, b"more", seq)

    fake_kernel.handlers[GETLINK] = dribble
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        conn.dump(socket.NETLINK_ROUTE, GETLINK, b"", timeout=0.4)
    assert 0.4 <= time.monotonic() - started < 3


def test_a_reply_larger_than_the_bound_is_refused(fake_kernel, monkeypatch):
    monkeypatch.setattr(conn, "MAX_REPLY_BYTES", 100)
    fake_kernel.handlers[GETLINK] = dump_of(NEWLINK, [bytes(40)] * 4, per_datagram=1)
    with pytest.raises(ParseError):
        conn.dump(socket.NETLINK_ROUTE, GETLINK, b"", timeout=5)


@needs_rtnetlink
def test_the_running_kernel_answers_a_link_dump():
    messages = conn.dump(socket.NETLINK_ROUTE, GETLINK, rtnl.link_request(), timeout=5)
    assert all(m.type == NEWLINK for m in messages)
    names = [rtnl.link_name_from_message(m.payload) for m in messages]
    assert sorted(names) == sorted(socket.if_nameindex())


@needs_rtnetlink
def test_the_running_kernel_refuses_an_unknown_request():
    with pytest.raises(NetlinkError) as info:
        conn.dump(socket.NETLINK_ROUTE, 0x7FF, struct.pack("=I", 0), timeout=5)
    assert info.value.errno in (errno.EOPNOTSUPP, errno.EINVAL)
