"""nfsd: NFS server statistics from /proc/net/rpc/nfsd."""

from __future__ import annotations

import logging

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
        self.cache_hits = counter(
            f"{s}_reply_cache_hits_total",
            "Total number of NFSd Reply Cache hits (client lost server response).")
        self.cache_misses = counter(
            f"{s}_reply_cache_misses_total",
            "Total number of NFSd Reply Cache an operation that requires caching (idempotent).")
        self.cache_nocache = counter(
            f"{s}_reply_cache_nocache_total",
            "Total number of NFSd Reply Cache non-idempotent operations (rename/delete/\u2026).")
        self.stale = counter(f"{s}_file_handles_stale_total", "Total number of NFSd stale file handles")
        self.bytes_read = counter(f"{s}_disk_bytes_read_total", "Total NFSd bytes read.")
        self.bytes_written = counter(f"{s}_disk_bytes_written_total", "Total NFSd bytes written.")
        self.threads = gauge(f"{s}_server_threads", "Total number of NFSd kernel threads that are running.")
        self.ra_size = gauge(
            f"{s}_read_ahead_cache_size_blocks", "How large the read ahead cache is in blocks.")
        self.ra_not_found = counter(
            f"{s}_read_ahead_cache_not_found_total", "Total number of NFSd read ahead cache not found.")
        self.packets = counter(
            f"{s}_packets_total", "Total NFSd network packets (sent+received) by protocol type.", "proto")
        self.connections = counter(f"{s}_connections_total", "Total number of NFSd TCP connections.")
        self.rpc_errors = counter(
            f"{s}_rpc_errors_total", "Total number of NFSd RPC errors by error type.", "error")
        self.rpcs = counter(f"{s}_server_rpcs_total", "Total number of NFSd RPCs.")
        self.requests = counter(
            f"{s}_requests_total", "Total number NFSd Requests by method and protocol.", "proto", "method")

    def collect(self) -> list[MetricFamily]:
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
        for method in _V2_METHODS:
            requests.add(stats.v2[method], "2", method)
        for method in _V3_METHODS:
            requests.add(stats.v3[method], "3", method)
        for method in _V4_METHODS:
            requests.add(stats.v4_ops[method], "4", method)
        requests.add(stats.wdeleg_getattr, "4", "WdelegGetattr")
        return [
            self.cache_hits.one(stats.reply_cache.hits),
            self.cache_misses.one(stats.reply_cache.misses),
            self.cache_nocache.one(stats.reply_cache.no_cache),
            self.stale.one(stats.file_handles.stale),
            self.bytes_read.one(stats.input_output.read),
            self.bytes_written.one(stats.input_output.write),
            self.threads.one(stats.threads.threads),
            self.ra_size.one(stats.read_ahead_cache.cache_size),
            self.ra_not_found.one(stats.read_ahead_cache.not_found),
            packets,
            self.connections.one(stats.network.tcp_connect),
            errors,
            self.rpcs.one(stats.server_rpc.rpc_count),
            requests,
        ]
