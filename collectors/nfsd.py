"""nfsd: NFS server statistics from /proc/net/rpc/nfsd."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from operator import attrgetter

from pyexporter.errors import NoDataError
from pyexporter.fs import read_optional_text
from pyexporter.metrics import NAMESPACE, MetricFamily, counter, gauge
from pyexporter.procfs.nfs import SERVER_V4_OPERATIONS, V2_PROCEDURES, V3_PROCEDURES, parse_server_rpc_stats
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)

_SUBSYSTEM = f"{NAMESPACE}_nfsd"

#: node_exporter reports neither the Null procedures nor the unused, future and
#: PUTPUBFH/PUTROOTFH operations of the server.
_V2_METHODS = tuple(name for name in V2_PROCEDURES if name != "Null")
_V3_METHODS = tuple(name for name in V3_PROCEDURES if name != "Null")
_V4_METHODS = tuple(
    name for name in SERVER_V4_OPERATIONS
    if name not in ("Op0Unused", "Op1Unused", "Op2Future", "PutPubFH", "PutRootFH")
)


@register
class NfsdCollector(Collector):
    name = "nfsd"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        s = _SUBSYSTEM
        # (field of the parsed stats, descriptor) of the metrics that are one value each.
        self.values = tuple((attrgetter(path), desc) for path, desc in (
            ("reply_cache.hits", counter(
                f"{s}_reply_cache_hits_total",
                "Total number of NFSd Reply Cache hits (client lost server response).")),
            ("reply_cache.misses", counter(
                f"{s}_reply_cache_misses_total",
                "Total number of NFSd Reply Cache an operation that requires caching (idempotent).")),
            ("reply_cache.no_cache", counter(
                f"{s}_reply_cache_nocache_total",
                "Total number of NFSd Reply Cache non-idempotent operations (rename/delete/\u2026).")),
            ("file_handles.stale", counter(
                f"{s}_file_handles_stale_total", "Total number of NFSd stale file handles")),
            ("input_output.read", counter(f"{s}_disk_bytes_read_total", "Total NFSd bytes read.")),
            ("input_output.write", counter(f"{s}_disk_bytes_written_total", "Total NFSd bytes written.")),
            ("threads.threads", gauge(
                f"{s}_server_threads", "Total number of NFSd kernel threads that are running.")),
            ("read_ahead_cache.cache_size", gauge(
                f"{s}_read_ahead_cache_size_blocks", "How large the read ahead cache is in blocks.")),
            ("read_ahead_cache.not_found", counter(
                f"{s}_read_ahead_cache_not_found_total", "Total number of NFSd read ahead cache not found.")),
            ("network.tcp_connect", counter(
                f"{s}_connections_total", "Total number of NFSd TCP connections.")),
            ("server_rpc.rpc_count", counter(f"{s}_server_rpcs_total", "Total number of NFSd RPCs.")),
        ))
        self.packets = counter(
            f"{s}_packets_total", "Total NFSd network packets (sent+received) by protocol type.", "proto")
        self.rpc_errors = counter(
            f"{s}_rpc_errors_total", "Total number of NFSd RPC errors by error type.", "error")
        self.requests = counter(
            f"{s}_requests_total", "Total number NFSd Requests by method and protocol.", "proto", "method")

    def collect(self) -> Iterator[MetricFamily]:
        path = self.roots.proc("net", "rpc", "nfsd")
        text = read_optional_text(path)
        if text is None:
            log.debug("Not collecting NFSd metrics: %s does not exist", path)
            raise NoDataError(f"{path} does not exist")
        stats = parse_server_rpc_stats(text)

        packets = self.packets.family()
        packets.add(stats.network.udp_count, "udp")
        packets.add(stats.network.tcp_count, "tcp")
        errors = self.rpc_errors.family()
        errors.add(stats.server_rpc.bad_format, "fmt")
        errors.add(stats.server_rpc.bad_auth, "auth")
        errors.add(stats.server_rpc.bad_client, "cInt")
        requests = self.requests.family()
        for proto, methods, counts in (("2", _V2_METHODS, stats.v2), ("3", _V3_METHODS, stats.v3),
                                       ("4", _V4_METHODS, stats.v4_ops)):
            for method in methods:
                requests.add(counts[method], proto, method)
        requests.add(stats.wdeleg_getattr, "4", "WdelegGetattr")
        yield from (desc.one(value(stats)) for value, desc in self.values)
        yield from (packets, errors, requests)
