"""udp_queues: bytes queued in UDP sockets from /proc/net/udp and udp6 as node_udp_queues."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from pyexporter.errors import NoDataError
from pyexporter.fs import read_optional_text
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.procfs.net_ip_socket import parse_socket_summary
from pyexporter.registry import Collector, register

log = logging.getLogger(__name__)


@register
class UDPQueuesCollector(Collector):
    name = "udp_queues"

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.desc = gauge(f"{NAMESPACE}_udp_queues",
                          "Number of allocated memory in the kernel for UDP datagrams in bytes.",
                          "queue", "ip")

    def collect(self) -> Iterator[MetricFamily]:
        found = False
        for filename, ip in (("udp", "v4"), ("udp6", "v6")):
            # A kernel without IPv4 or IPv6 has no such file; only both missing is "no data".
            text = read_optional_text(self.roots.proc("net", filename))
            if text is None:
                log.debug("not collecting %s based metrics", ip)
                continue
            found = True
            summary = parse_socket_summary(text, udp=True)
            # Each address family's samples are sent before the next file is read.
            family = self.desc.family()
            yield family.add(summary.tx_queue_length, "tx", ip).add(summary.rx_queue_length, "rx", ip)
        if not found:
            raise NoDataError("neither /proc/net/udp nor /proc/net/udp6 exists")
