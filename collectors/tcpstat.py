"""tcpstat: TCP sockets by state and their queued bytes (node_tcp_connection_states).

As node_exporter, the counts come from the kernel's sock_diag netlink interface
(a dump of every TCP socket of the host's network namespace), not from
/proc/net/tcp; IPv6 sockets are counted too when <procfs>/net/tcp6 exists.
"""

from __future__ import annotations

import errno
import os
import socket
import struct
from collections import Counter
from collections.abc import Iterator

from pyexporter.errors import ParseError
from pyexporter.fs import exists
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST = 0x1
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3
TCPF_ALL = 0xFFF

_NLMSGHDR = struct.Struct("=IHHII")  # length, type, flags, sequence, port id
_INET_DIAG_REQ_V2 = struct.Struct("=BBBBI48x")  # family, protocol, ext, pad, states, socket id
# inet_diag_msg: family, state, timer, retrans, socket id (48 bytes), expires, rqueue, wqueue, uid, inode.
_INET_DIAG_MSG = struct.Struct("=BBBB48xIIIII")
_RECV_BYTES = 1 << 18

#: Key of the queued-bytes sums; node_exporter keeps them in the state map after the 11 TCP states.
RX_QUEUED_BYTES = 12
TX_QUEUED_BYTES = 13
STATE_NAMES = {
    1: "established", 2: "syn_sent", 3: "syn_recv", 4: "fin_wait1", 5: "fin_wait2", 6: "time_wait",
    7: "close", 8: "close_wait", 9: "last_ack", 10: "listen", 11: "closing",
    RX_QUEUED_BYTES: "rx_queued_bytes", TX_QUEUED_BYTES: "tx_queued_bytes",
}


def dump_request(family: int, sequence: int) -> bytes:
    """A SOCK_DIAG_BY_FAMILY dump request for every TCP socket of an address family."""
    body = _INET_DIAG_REQ_V2.pack(family, socket.IPPROTO_TCP, 0, 0, TCPF_ALL)
    header = _NLMSGHDR.pack(_NLMSGHDR.size + len(body), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP,
                            sequence, 0)
    return header + body


def netlink_messages(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(type, payload) of each netlink message in one datagram."""
    offset = 0
    while offset < len(data):
        if len(data) - offset < _NLMSGHDR.size:
            raise ParseError("truncated netlink message header")
        length, kind, _flags, _seq, _pid = _NLMSGHDR.unpack_from(data, offset)
        if length < _NLMSGHDR.size or offset + length > len(data):
            raise ParseError(f"invalid netlink message length {length}")
        yield kind, data[offset + _NLMSGHDR.size:offset + length]
        offset += (length + 3) & ~3


def count_sockets(payloads: list[bytes]) -> Counter[int]:
    """Sockets per state, plus the summed receive and send queues, from inet_diag_msg payloads."""
    stats: Counter[int] = Counter()
    for payload in payloads:
        if len(payload) < _INET_DIAG_MSG.size:
            raise ParseError(f"inet_diag_msg of {len(payload)} bytes, {_INET_DIAG_MSG.size} expected")
        _family, state, _timer, _retrans, _expires, rqueue, wqueue, _uid, _inode = _INET_DIAG_MSG.unpack_from(
            payload
        )
        stats[state] += 1
        stats[RX_QUEUED_BYTES] += rqueue
        stats[TX_QUEUED_BYTES] += wqueue
    return stats


def dump_tcp_sockets(family: int) -> list[bytes]:
    """The inet_diag_msg payloads of every TCP socket of one address family."""
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC, NETLINK_SOCK_DIAG) as sock:
        sock.settimeout(5.0)
        sock.bind((0, 0))
        sock.send(dump_request(family, 1))
        payloads: list[bytes] = []
        while True:
            data = sock.recv(_RECV_BYTES)
            if not data:
                raise ParseError("netlink socket closed during a dump")
            for kind, payload in netlink_messages(data):
                if kind == NLMSG_DONE:
                    return payloads
                if kind == NLMSG_ERROR:
                    code = -struct.unpack_from("=i", payload)[0] if len(payload) >= 4 else errno.EIO
                    if code:
                        raise OSError(code, f"sock_diag dump failed: {os.strerror(code)}")
                    continue
                if kind == SOCK_DIAG_BY_FAMILY:
                    payloads.append(payload)


@register
class TcpstatCollector(Collector):
    name = "tcpstat"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.states = gauge(f"{NAMESPACE}_tcp_connection_states", "Number of connection states.", "state")

    def collect(self) -> list[MetricFamily]:
        stats = count_sockets(dump_tcp_sockets(socket.AF_INET))
        if exists(self.roots.proc("net", "tcp6")):
            stats.update(count_sockets(dump_tcp_sockets(socket.AF_INET6)))
        family = self.states.family()
        for state, value in stats.items():
            family.add(value, STATE_NAMES.get(state, "unknown"))
        return [family]
