"""tcpstat: inet_diag answers as pyroute2's DiagSocket decodes them, and the collector."""

import errno
import os
import socket
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyroute2.netlink import NLMSG_ERROR
from pyroute2.netlink.diag import SOCK_DIAG_BY_FAMILY, MarshalDiag

import pyexporter.collectors.tcpstat as tcpstat
from pyexporter.collectors.tcpstat import (
    RX_QUEUED_BYTES,
    TX_QUEUED_BYTES,
    TcpDiagMessage,
    count_sockets,
    raise_on_error,
)
from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree

NLM_F_MULTI = 2


def diag_body(state: int, rqueue: int = 0, wqueue: int = 0, family: int = socket.AF_INET,
              inode: int = 12345) -> bytes:
    # inet_diag_msg: family, state, timer, retrans, socket id (48 bytes), expires, rqueue, wqueue, uid, inode.
    return struct.pack("=BBBB48xIIIII", family, state, 0, 0, 0, rqueue, wqueue, 1000, inode)


def nlmsg(kind: int, body: bytes) -> bytes:
    return struct.pack("=IHHII", 16 + len(body), kind, NLM_F_MULTI, 1, 0) + body


def decode(data: bytes) -> list:
    """What DiagSocket yields for these bytes, with the layout the collector registers."""
    marshal = MarshalDiag()
    marshal.msg_map[socket.AF_INET] = TcpDiagMessage
    marshal.msg_map[socket.AF_INET6] = TcpDiagMessage
    return list(marshal.parse(data))


def diag(*bodies: bytes) -> list:
    return decode(b"".join(nlmsg(SOCK_DIAG_BY_FAMILY, body) for body in bodies))


def test_count_sockets():
    stats = count_sockets(diag(diag_body(1, 5, 7), diag_body(1), diag_body(10, 0, 3), diag_body(6)))
    assert stats == {1: 2, 10: 1, 6: 1, RX_QUEUED_BYTES: 5, TX_QUEUED_BYTES: 10}
    assert count_sockets([]) == {}


def test_count_sockets_ipv6_and_huge_queues():
    stats = count_sockets(diag(diag_body(1, 2**32 - 1, 2**32 - 1, socket.AF_INET6), diag_body(1, 1, 0)))
    assert stats == {1: 2, RX_QUEUED_BYTES: 2**32, TX_QUEUED_BYTES: 2**32 - 1}


@pytest.mark.parametrize(
    "messages",
    [
        [b"short"],
        [None],
        [{}],
        [{"idiag_state": 1, "idiag_rqueue": "1", "idiag_wqueue": 0}],
        [{"idiag_state": -1, "idiag_rqueue": 0, "idiag_wqueue": 0}],
        # A family DiagSocket has no layout for decodes as a bare netlink message.
        decode(nlmsg(SOCK_DIAG_BY_FAMILY, diag_body(1, family=socket.AF_UNIX))),
    ],
)
def test_count_sockets_rejects(messages):
    with pytest.raises(ParseError):
        count_sockets(messages)


@settings(max_examples=200, deadline=None)
@given(body=st.binary(min_size=70, max_size=120), state=st.integers(0, 11),
       family=st.sampled_from([socket.AF_INET, socket.AF_INET6]))
def test_any_diag_message_counts(body, state, family):
    # (States 12 and 13 would share their key with the queue sums, as in node_exporter.)
    [msg] = diag(bytes([family, state]) + body)
    rqueue, wqueue = struct.unpack_from("=II", body, 54)
    assert count_sockets([msg]) == {state: 1, RX_QUEUED_BYTES: rqueue, TX_QUEUED_BYTES: wqueue}


@settings(max_examples=200, deadline=None)
@given(msg=st.one_of(st.none(), st.binary(max_size=10), st.integers(), st.dictionaries(
    st.sampled_from(["idiag_state", "idiag_rqueue", "idiag_wqueue"]),
    st.one_of(st.integers(-2, 2**40), st.text(max_size=3), st.none()))))
def test_count_sockets_raises_only_parse_error(msg):
    try:
        count_sockets([msg])
    except ParseError:
        pass


def _error_message(code: int) -> bytes:
    # nlmsgerr: the negative errno, then the header of the request it answers.
    return struct.pack("=IHHII", 36, NLMSG_ERROR, 0, 1, 0) + struct.pack("=i", -code) + bytes(16)


def test_refused_dump_is_an_os_error():
    messages = decode(_error_message(errno.EPERM))
    assert [msg["header"]["type"] for msg in messages] == [NLMSG_ERROR]
    with pytest.raises(OSError) as info:
        raise_on_error(messages)
    assert info.value.errno == errno.EPERM
    raise_on_error(diag(diag_body(1)) + decode(_error_message(0)))  # an acknowledgement is no error


def test_tcpstat_collector(tmp_path, monkeypatch):
    dumps = {
        socket.AF_INET: diag(diag_body(1, 1, 2), diag_body(10)),
        socket.AF_INET6: diag(diag_body(1, 0, 4, socket.AF_INET6), diag_body(42, family=socket.AF_INET6)),
    }
    monkeypatch.setattr(tcpstat, "dump_tcp_sockets", lambda family: dumps[family])
    write_tree(tmp_path, {"proc/net/tcp6": ""})
    collector = make_collector("tcpstat", tmp_path)
    assert samples(collector.collect()) == {
        'node_tcp_connection_states{state="established"}': 2,
        'node_tcp_connection_states{state="listen"}': 1,
        'node_tcp_connection_states{state="unknown"}': 1,
        'node_tcp_connection_states{state="rx_queued_bytes"}': 1,
        'node_tcp_connection_states{state="tx_queued_bytes"}': 6,
    }
    text = collect_text(collector)
    assert "# HELP node_tcp_connection_states Number of connection states.\n" in text
    assert "# TYPE node_tcp_connection_states gauge\n" in text


def test_tcpstat_without_ipv6(tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr(tcpstat, "dump_tcp_sockets",
                        lambda family: asked.append(family) or diag(diag_body(2)))
    got = samples(make_collector("tcpstat", tmp_path).collect())
    assert asked == [socket.AF_INET]
    assert got['node_tcp_connection_states{state="syn_sent"}'] == 1


def test_tcpstat_malformed_reply(tmp_path, monkeypatch):
    monkeypatch.setattr(tcpstat, "dump_tcp_sockets", lambda family: [b"short"])
    with pytest.raises(ParseError):
        list(make_collector("tcpstat", tmp_path).collect())


def test_tcpstat_live_sock_diag():
    try:
        tcpstat.dump_tcp_sockets(socket.AF_INET)
    except OSError as exc:  # pragma: no cover - a sandbox without sock_diag
        pytest.skip(f"sock_diag netlink unavailable: {exc}")
    for family, address in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        try:
            listener = socket.socket(family)
            listener.bind((address, 0))
        except OSError:  # pragma: no cover - no IPv6 here
            continue
        with listener:
            listener.listen()
            inode = os.fstat(listener.fileno()).st_ino
            messages = tcpstat.dump_tcp_sockets(family)
        mine = [msg for msg in messages if dict.get(msg, "idiag_inode") == inode]
        assert [dict.get(msg, "idiag_state") for msg in mine] == [10]
        assert count_sockets(messages)[10] >= 1
