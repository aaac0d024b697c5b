"""sockstat: /proc/net/sockstat and sockstat6 as node_sockstat_<PROTO>_<key>."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from pyexporter.fs import read_optional_text
from pyexporter.metrics import NAMESPACE, Desc, MetricFamily, gauge
from pyexporter.procfs.net_sockstat import PROTOCOL_KEYS, Sockstat, parse_sockstat
from pyexporter.registry import Collector, register

log = logging.getLogger(__name__)


@register
class SockStatCollector(Collector):
    name = "sockstat"

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.page_size = os.sysconf("SC_PAGESIZE")
        self.used = gauge(f"{NAMESPACE}_sockstat_sockets_used", "Number of IPv4 sockets in use.")
        self._descs: dict[tuple[str, str], Desc] = {}

    def _desc(self, protocol: str, key: str) -> Desc:
        desc = self._descs.get((protocol, key))
        if desc is None:
            # Protocol names come from the kernel (TCP, UDP6, ...); each is built once.
            desc = self._descs[protocol, key] = gauge(
                f"{NAMESPACE}_sockstat_{protocol}_{key}", f"Number of {protocol} sockets in state {key}.")
        return desc

    def _families(self, stat: Sockstat, ipv6: bool) -> list[MetricFamily]:
        out = []
        # Only IPv4's file counts all sockets; a 'sockets:' line in sockstat6 is ignored.
        if not ipv6 and stat.used is not None:
            out.append(self.used.one(stat.used))
        for proto in stat.protocols:
            for key in PROTOCOL_KEYS:
                if key in proto.values:
                    out.append(self._desc(proto.protocol, key).one(proto.values[key]))
            # mem is counted in pages; node_exporter adds it in bytes.
            if "mem" in proto.values:
                out.append(self._desc(proto.protocol, "mem_bytes").one(proto.values["mem"] * self.page_size))
        return out

    def collect(self) -> Iterator[MetricFamily]:
        # Both files are read before anything is sent, as node_exporter does.
        families: list[MetricFamily] = []
        for filename, ipv6 in (("sockstat", False), ("sockstat6", True)):
            # With IPv4 or IPv6 disabled the file is absent: node_exporter skips it, still a success.
            text = read_optional_text(self.roots.proc("net", filename))
            if text is None:
                log.debug("sockstat statistics not found, skipping", extra={"file": filename})
                continue
            families.extend(self._families(parse_sockstat(text), ipv6))
        yield from families
