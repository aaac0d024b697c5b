"""tcpstat: inet_diag answers counted, the dump against a fake and the running kernel, and the collector."""

import errno
import os
import socket
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pyexporter.collectors.tcpstat as tcpstat
from pyexporter.collectors.tcpstat import RX_QUEUED_BYTES, TX_QUEUED_BYTES, count_sockets
from pyexporter.errors import ParseError
from pyexporter.netlink import diag
from pyexporter.netlink.message import NetlinkError
from tests.netlink.peer import dump_of, error
from tests.support import collect_text, make_collector, samples, write_tree


def diag_body(state: int, rqueue: int = 0, wqueue: int = 0, family: int = socket.AF_INET,
              inode: int = 12345) -> bytes:
    # inet_diag_msg: family, state, timer, retrans, socket id (48 bytes), expires, rqueue, wqueue, uid, inode.
    return struct.pack("=BBBB48xIIIII", family, state, 0, 0, 0, rqueue, wqueue, 1000, inode)


def test_count_sockets():
    stats = count_sockets([diag_body(1, 5, 7), diag_body(1), diag_body(10, 0, 3), diag_body(6)])
    assert stats == {1: 2, 10: 1, 6: 1, RX_QUEUED_BYTES: 5, TX_QUEUED_BYTES: 10}
    assert count_sockets([]) == {}


def test_count_sockets_ipv6_and_huge_queues():
    stats = count_sockets([diag_body(1, 2**32 - 1, 2**32 - 1, socket.AF_INET6), diag_body(1, 1, 0)])
    assert stats == {1: 2, RX_QUEUED_BYTES: 2**32, TX_QUEUED_BYTES: 2**32 - 1}


@pytest.mark.parametrize("payloads", [[b"short"], [b""], [diag_body(1)[:-1]], [diag_body(1), b"x" * 71]])
def test_count_sockets_rejects(payloads):
    with pytest.raises(ParseError):
        count_sockets(payloads)


@settings(max_examples=200, deadline=None)
@given(body=st.binary(min_size=70, max_size=120), state=st.integers(0, 11),
       family=st.sampled_from([socket.AF_INET, socket.AF_INET6]))
def test_any_diag_message_counts(body, state, family):
    # (States 12 and 13 would share their key with the queue sums, as in node_exporter.)
    rqueue, wqueue = struct.unpack_from("=II", body, 54)
    assert count_sockets([bytes([family, state]) + body]) == {
        state: 1, RX_QUEUED_BYTES: rqueue, TX_QUEUED_BYTES: wqueue}


def test_dump_asks_sock_diag_for_every_tcp_socket(fake_kernel):
    fake_kernel.handlers[diag.SOCK_DIAG_BY_FAMILY] = dump_of(diag.SOCK_DIAG_BY_FAMILY,
                                                        [diag_body(1), diag_body(10)])
    assert tcpstat.dump_tcp_sockets(socket.AF_INET6, timeout=5) == [diag_body(1), diag_body(10)]
    [(protocol, _type, _flags, payload)] = fake_kernel.requests
    assert (protocol, payload) == (diag.NETLINK_SOCK_DIAG, diag.tcp_sockets_request(socket.AF_INET6))


def test_refused_dump_is_an_os_error(fake_kernel):
    fake_kernel.handlers[diag.SOCK_DIAG_BY_FAMILY] = lambda seq, _payload: [error(errno.EPERM, seq)]
    with pytest.raises(NetlinkError) as info:
        tcpstat.dump_tcp_sockets(socket.AF_INET, timeout=5)
    assert info.value.errno == errno.EPERM and isinstance(info.value, OSError)


def test_an_answer_of_another_type_is_a_parse_error(fake_kernel):
    fake_kernel.handlers[diag.SOCK_DIAG_BY_FAMILY] = dump_of(18, [diag_body(1)])
    with pytest.raises(ParseError):
        tcpstat.dump_tcp_sockets(socket.AF_INET, timeout=5)


def test_tcpstat_collector(tmp_path, monkeypatch):
    dumps = {
        socket.AF_INET: [diag_body(1, 1, 2), diag_body(10)],
        socket.AF_INET6: [diag_body(1, 0, 4, socket.AF_INET6), diag_body(42, family=socket.AF_INET6)],
    }
    timeouts = []
    monkeypatch.setattr(tcpstat, "dump_tcp_sockets",
                        lambda family, timeout: timeouts.append(timeout) or dumps[family])
    write_tree(tmp_path, {"proc/net/tcp6": ""})
    collector = make_collector("tcpstat", tmp_path, "--collector.timeout=4s")
    assert samples(collector.collect()) == {
        'node_tcp_connection_states{state="established"}': 2,
        'node_tcp_connection_states{state="listen"}': 1,
        'node_tcp_connection_states{state="unknown"}': 1,
        'node_tcp_connection_states{state="rx_queued_bytes"}': 1,
        'node_tcp_connection_states{state="tx_queued_bytes"}': 6,
    }
    assert timeouts == [4.0, 4.0]  # each dump has the collector's timeout
    text = collect_text(collector)
    assert "# HELP node_tcp_connection_states Number of connection states.\n" in text
    assert "# TYPE node_tcp_connection_states gauge\n" in text


def test_tcpstat_without_ipv6(tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr(tcpstat, "dump_tcp_sockets",
                        lambda family, timeout: asked.append(family) or [diag_body(2)])
    got = samples(make_collector("tcpstat", tmp_path).collect())
    assert asked == [socket.AF_INET]
    assert got['node_tcp_connection_states{state="syn_sent"}'] == 1


def test_tcpstat_malformed_reply(tmp_path, monkeypatch):
    monkeypatch.setattr(tcpstat, "dump_tcp_sockets", lambda family, timeout: [b"short"])
    with pytest.raises(ParseError):
        list(make_collector("tcpstat", tmp_path).collect())


def test_tcpstat_live_sock_diag():
    try:
        tcpstat.dump_tcp_sockets(socket.AF_INET, timeout=5)
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
            payloads = tcpstat.dump_tcp_sockets(family, timeout=5)
        mine = [msg for msg in map(diag.inet_diag_from_message, payloads) if msg.inode == inode]
        assert [(msg.family, msg.state) for msg in mine] == [(family, 10)]
        assert count_sockets(payloads)[10] >= 1
