"""tcpstat: TCP sockets by state and their queued bytes (node_tcp_connection_states).

As node_exporter, the counts come from the kernel's sock_diag netlink interface
(a dump of every TCP socket of the network namespace, with the collector's
timeout; pyexporter.netlink), not from /proc/net/tcp; IPv6 sockets are counted
too when <procfs>/net/tcp6 exists.
"""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Iterable, Iterator

from pyexporter.errors import ParseError
from pyexporter.fs import exists
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.netlink import conn, diag
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

#: Key of the queued-bytes sums; node_exporter keeps them in the state map after the 11 TCP states.
RX_QUEUED_BYTES = 12
TX_QUEUED_BYTES = 13
STATE_NAMES = {
    1: "established", 2: "syn_sent", 3: "syn_recv", 4: "fin_wait1", 5: "fin_wait2", 6: "time_wait",
    7: "close", 8: "close_wait", 9: "last_ack", 10: "listen", 11: "closing",
    RX_QUEUED_BYTES: "rx_queued_bytes", TX_QUEUED_BYTES: "tx_queued_bytes",
}


def count_sockets(payloads: Iterable[bytes]) -> Counter[int]:
    """Sockets per state, plus the summed receive and send queues, from inet_diag_msg payloads."""
    stats: Counter[int] = Counter()
    for payload in payloads:
        msg = diag.inet_diag_from_message(payload)
        stats[msg.state] += 1
        stats[RX_QUEUED_BYTES] += msg.rqueue
        stats[TX_QUEUED_BYTES] += msg.wqueue
    return stats


def dump_tcp_sockets(family: int, timeout: float) -> list[bytes]:
    """One inet_diag_msg payload per TCP socket of an address family, in every state (SOCK_DIAG_BY_FAMILY)."""
    messages = conn.dump(diag.NETLINK_SOCK_DIAG, diag.SOCK_DIAG_BY_FAMILY, diag.tcp_sockets_request(family),
                         timeout)
    for msg in messages:
        if msg.type != diag.SOCK_DIAG_BY_FAMILY:
            raise ParseError(f"sock_diag: message type {msg.type} in a dump of TCP sockets")
    return [msg.payload for msg in messages]


@register
class TcpstatCollector(Collector):
    name = "tcpstat"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.states = gauge(f"{NAMESPACE}_tcp_connection_states", "Number of connection states.", "state")

    def collect(self) -> Iterator[MetricFamily]:
        timeout = self.settings.collector_timeout
        stats = count_sockets(dump_tcp_sockets(socket.AF_INET, timeout))
        if exists(self.roots.proc("net", "tcp6")):
            stats.update(count_sockets(dump_tcp_sockets(socket.AF_INET6, timeout)))
        family = self.states.family()
        for state, value in stats.items():
            family.add(value, STATE_NAMES.get(state, "unknown"))
        yield family
