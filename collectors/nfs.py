"""nfs: NFS client RPC statistics from /proc/net/rpc/nfs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from operator import attrgetter

from pyexporter.errors import NoDataError
from pyexporter.fs import read_optional_text
from pyexporter.metrics import NAMESPACE, MetricFamily, counter
from pyexporter.procfs.nfs import parse_client_rpc_stats
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)

_SUBSYSTEM = f"{NAMESPACE}_nfs"


@register
class NfsCollector(Collector):
    name = "nfs"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        # node_exporter's nfs and nfsd collectors share this HELP, "NFSd" included.
        self.packets = counter(
            f"{_SUBSYSTEM}_packets_total",
            "Total NFSd network packets (sent+received) by protocol type.", "protocol")
        # (field of the parsed stats, descriptor) of the metrics that are one value each.
        self.values = tuple((attrgetter(path), desc) for path, desc in (
            ("network.tcp_connect", counter(
                f"{_SUBSYSTEM}_connections_total", "Total number of NFSd TCP connections.")),
            ("client_rpc.rpc_count", counter(f"{_SUBSYSTEM}_rpcs_total", "Total number of RPCs performed.")),
            ("client_rpc.retransmissions", counter(
                f"{_SUBSYSTEM}_rpc_retransmissions_total", "Number of RPC transmissions performed.")),
            ("client_rpc.auth_refreshes", counter(
                f"{_SUBSYSTEM}_rpc_authentication_refreshes_total",
                "Number of RPC authentication refreshes performed.")),
        ))
        self.requests = counter(
            f"{_SUBSYSTEM}_requests_total", "Number of NFS procedures invoked.", "proto", "method")

    def collect(self) -> Iterator[MetricFamily]:
        path = self.roots.proc("net", "rpc", "nfs")
        text = read_optional_text(path)
        if text is None:
            log.debug("Not collecting NFS metrics: %s does not exist", path)
            raise NoDataError(f"{path} does not exist")
        stats = parse_client_rpc_stats(text)

        packets = self.packets.family()
        packets.add(stats.network.udp_count, "udp")
        packets.add(stats.network.tcp_count, "tcp")
        requests = self.requests.family()
        # The client collector reports every procedure procfs knows, Null included.
        for proto, procedures in (("2", stats.v2), ("3", stats.v3), ("4", stats.v4)):
            for method, value in procedures.items():
                requests.add(value, proto, method)
        yield from (desc.one(value(stats)) for value, desc in self.values)
        yield from (packets, requests)
