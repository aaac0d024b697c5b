"""tcpstat: TCP sockets by state and their queued bytes (node_tcp_connection_states).

As node_exporter, the counts come from the kernel's sock_diag netlink interface
(a dump of every TCP socket of the host's network namespace, through pyroute2's
DiagSocket), not from /proc/net/tcp; IPv6 sockets are counted too when
<procfs>/net/tcp6 exists.
"""

from __future__ import annotations

import os
import socket
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING

from pyexporter import netlink_thread
from pyexporter.errors import ParseError
from pyexporter.fs import exists
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

if TYPE_CHECKING:
    from pyroute2.netlink import nlmsg

# pyroute2 is imported where it is used: importing it costs ~11 MiB of resident
# memory, which a node without this (default-off) collector should not pay.

#: Key of the queued-bytes sums; node_exporter keeps them in the state map after the 11 TCP states.
RX_QUEUED_BYTES = 12
TX_QUEUED_BYTES = 13
STATE_NAMES = {
    1: "established", 2: "syn_sent", 3: "syn_recv", 4: "fin_wait1", 5: "fin_wait2", 6: "time_wait",
    7: "close", 8: "close_wait", 9: "last_ack", 10: "listen", 11: "closing",
    RX_QUEUED_BYTES: "rx_queued_bytes", TX_QUEUED_BYTES: "tx_queued_bytes",
}


@cache
def _diag_message_class() -> type[nlmsg]:
    from pyroute2.netlink import nlmsg

    class TcpDiagMessage(nlmsg):
        """The fixed part of an inet_diag_msg (include/uapi/linux/inet_diag.h), as pyroute2 decodes it.

        pyroute2's own inet_diag_msg also prints both addresses and walks the
        attributes of every socket; counting needs three fields, and this layout
        halves the cost per socket.
        """

        fields = (
            ("idiag_family", "B"),
            ("idiag_state", "B"),
            ("idiag_timer", "B"),
            ("idiag_retrans", "B"),
            ("__id", "48x"),  # inet_diag_sockid: ports, addresses, interface, cookie
            ("idiag_expires", "I"),
            ("idiag_rqueue", "I"),
            ("idiag_wqueue", "I"),
            ("idiag_uid", "I"),
            ("idiag_inode", "I"),
        )

    return TcpDiagMessage


def __getattr__(name: str) -> object:
    """TcpDiagMessage, made (and pyroute2 imported) on first use."""
    if name == "TcpDiagMessage":
        return _diag_message_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _diag_field(msg: object, name: str) -> int:
    if not isinstance(msg, dict):
        raise ParseError(f"not a decoded inet_diag_msg: {msg!r:.80}")
    # dict.get: pyroute2's own [] and get() resolve nested paths, several times slower.
    value = dict.get(msg, name)
    if not isinstance(value, int) or value < 0:
        raise ParseError(f"inet_diag_msg field {name} is {value!r:.80}")
    return value


def count_sockets(messages: Iterable[object]) -> Counter[int]:
    """Sockets per state, plus the summed receive and send queues, from decoded inet_diag_msg."""
    stats: Counter[int] = Counter()
    for msg in messages:
        stats[_diag_field(msg, "idiag_state")] += 1
        stats[RX_QUEUED_BYTES] += _diag_field(msg, "idiag_rqueue")
        stats[TX_QUEUED_BYTES] += _diag_field(msg, "idiag_wqueue")
    return stats


def raise_on_error(messages: Iterable[nlmsg]) -> None:
    """OSError for a refused dump: pyroute2's DiagSocket hands NLMSG_ERROR over as a plain message."""
    from pyroute2.netlink import NLMSG_ERROR, nlmsgerr

    for msg in messages:
        if msg["header"]["type"] == NLMSG_ERROR:
            error = nlmsgerr(msg.data, offset=msg.offset)
            error.decode()
            code = abs(error["error"])
            if code:
                raise OSError(code, f"sock_diag dump failed: {os.strerror(code)}")


def _dump_tcp_sockets(family: int) -> tuple[nlmsg, ...]:
    from pyroute2 import DiagSocket
    from pyroute2.netlink.diag import SS_ALL

    with DiagSocket() as diag:
        # This socket's own copy of pyroute2's table, keyed by address family.
        diag.marshal.msg_map[family] = _diag_message_class()
        messages = diag.get_sock_stats(family=family, states=SS_ALL, protocol=socket.IPPROTO_TCP)
    raise_on_error(messages)
    return messages


def dump_tcp_sockets(family: int) -> tuple[nlmsg, ...]:
    """One inet_diag_msg per TCP socket of an address family, in every state (SOCK_DIAG_BY_FAMILY dump)."""
    return netlink_thread.run(lambda: _dump_tcp_sockets(family))


@register
class TcpstatCollector(Collector):
    name = "tcpstat"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.states = gauge(f"{NAMESPACE}_tcp_connection_states", "Number of connection states.", "state")

    def collect(self) -> Iterator[MetricFamily]:
        stats = count_sockets(dump_tcp_sockets(socket.AF_INET))
        if exists(self.roots.proc("net", "tcp6")):
            stats.update(count_sockets(dump_tcp_sockets(socket.AF_INET6)))
        family = self.states.family()
        for state, value in stats.items():
            family.add(value, STATE_NAMES.get(state, "unknown"))
        yield family
