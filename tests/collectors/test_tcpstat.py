import socket
import struct

import pytest

import collectors.tcpstat as tcpstat
from collectors.tcpstat import (
    NLMSG_DONE,
    RX_QUEUED_BYTES,
    SOCK_DIAG_BY_FAMILY,
    TX_QUEUED_BYTES,
    count_sockets,
    dump_request,
    netlink_messages,
)
from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree


def diag_msg(state: int, rqueue: int = 0, wqueue: int = 0) -> bytes:
    return struct.pack("=BBBB48xIIIII", socket.AF_INET, state, 0, 0, 0, rqueue, wqueue, 1000, 12345)


def nlmsg(kind: int, payload: bytes) -> bytes:
    return struct.pack("=IHHII", 16 + len(payload), kind, 2, 1, 0) + payload


def test_dump_request():
    request = dump_request(socket.AF_INET6, 7)
    length, kind, flags, seq, _pid = struct.unpack_from("=IHHII", request)
    assert (length, kind, flags, seq) == (len(request), SOCK_DIAG_BY_FAMILY, 0x301, 7)
    family, protocol, _ext, _pad, states = struct.unpack_from("=BBBBI", request, 16)
    assert (family, protocol, states) == (socket.AF_INET6, socket.IPPROTO_TCP, 0xFFF)
    assert len(request) == 16 + 56


def test_netlink_messages():
    data = nlmsg(SOCK_DIAG_BY_FAMILY, diag_msg(1)) + nlmsg(SOCK_DIAG_BY_FAMILY, b"\x01\x02\x03") + b"\x00"
    data += nlmsg(NLMSG_DONE, b"\x00\x00\x00\x00")
    assert list(netlink_messages(data)) == [
        (SOCK_DIAG_BY_FAMILY, diag_msg(1)), (SOCK_DIAG_BY_FAMILY, b"\x01\x02\x03"), (NLMSG_DONE, b"\x00" * 4)
    ]


@pytest.mark.parametrize("data", [b"\x10\x00", nlmsg(20, b"abc")[:-1], struct.pack("=IHHII", 4, 20, 0, 0, 0)])
def test_netlink_messages_rejects(data):
    with pytest.raises(ParseError):
        list(netlink_messages(data))


def test_count_sockets():
    stats = count_sockets([diag_msg(1, 5, 7), diag_msg(1), diag_msg(10, 0, 3), diag_msg(6)])
    assert stats == {1: 2, 10: 1, 6: 1, RX_QUEUED_BYTES: 5, TX_QUEUED_BYTES: 10}
    assert count_sockets([]) == {}
    with pytest.raises(ParseError):
        count_sockets([diag_msg(1)[:71]])


def test_tcpstat_collector(tmp_path, monkeypatch):
    dumps = {
        socket.AF_INET: [diag_msg(1, 1, 2), diag_msg(10)],
        socket.AF_INET6: [diag_msg(1, 0, 4), diag_msg(42)],
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
    monkeypatch.setattr(tcpstat, "dump_tcp_sockets", lambda family: asked.append(family) or [diag_msg(2)])
    got = samples(make_collector("tcpstat", tmp_path).collect())
    assert asked == [socket.AF_INET]
    assert got['node_tcp_connection_states{state="syn_sent"}'] == 1


def test_tcpstat_malformed_reply(tmp_path, monkeypatch):
    monkeypatch.setattr(tcpstat, "dump_tcp_sockets", lambda family: [b"short"])
    with pytest.raises(ParseError):
        make_collector("tcpstat", tmp_path).collect()


def test_tcpstat_live_netlink():
    try:
        payloads = tcpstat.dump_tcp_sockets(socket.AF_INET)
    except OSError as exc:  # pragma: no cover - a sandbox without sock_diag
        pytest.skip(f"sock_diag netlink unavailable: {exc}")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        payloads = tcpstat.dump_tcp_sockets(socket.AF_INET)
    ports = {struct.unpack_from(">H", p, 4)[0] for p in payloads if p[1] == 10}
    assert port in ports
