"""ipvs: IPVS totals from /proc/net/ip_vs_stats and per-backend state from /proc/net/ip_vs."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from pyexporter.errors import ConfigError, NoDataError
from pyexporter.flags import StringFlag
from pyexporter.fs import read_optional_text, read_text
from pyexporter.metrics import NAMESPACE, MetricFamily, counter, gauge
from pyexporter.procfs.ipvs import IPVSBackendStatus, parse_ipvs_backend_status, parse_ipvs_stats
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)

#: Every backend label, in node_exporter's order.
FULL_BACKEND_LABELS = ("local_address", "local_port", "remote_address", "remote_port", "proto", "local_mark")


def parse_backend_labels(value: str) -> tuple[str, ...]:
    """The flag's comma separated labels, in canonical order; unknown ones are a start-up error."""
    wanted = {label for label in value.split(",") if label}
    unknown = wanted - set(FULL_BACKEND_LABELS)
    if unknown:
        raise ConfigError(f"unknown IPVS backend labels: {', '.join(sorted(unknown))!r}")
    return tuple(label for label in FULL_BACKEND_LABELS if label in wanted)


def _label_value(backend: IPVSBackendStatus, label: str) -> str:
    if label == "local_address":
        return backend.local_address
    if label == "local_port":
        return str(backend.local_port)
    if label == "remote_address":
        return backend.remote_address
    if label == "remote_port":
        return str(backend.remote_port)
    if label == "proto":
        return backend.proto
    return backend.local_mark


BACKEND_LABELS = StringFlag("collector.ipvs.backend-labels",
                            "Comma separated list for IPVS backend stats labels.",
                            ",".join(FULL_BACKEND_LABELS))


@register
class IpvsCollector(Collector):
    name = "ipvs"
    flags = (BACKEND_LABELS,)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.backend_labels = parse_backend_labels(settings[BACKEND_LABELS] or "")
        s = f"{NAMESPACE}_ipvs"
        self.connections = counter(f"{s}_connections_total", "The total number of connections made.")
        self.incoming_packets = counter(
            f"{s}_incoming_packets_total", "The total number of incoming packets.")
        self.outgoing_packets = counter(
            f"{s}_outgoing_packets_total", "The total number of outgoing packets.")
        self.incoming_bytes = counter(f"{s}_incoming_bytes_total", "The total amount of incoming data.")
        self.outgoing_bytes = counter(f"{s}_outgoing_bytes_total", "The total amount of outgoing data.")
        labels = self.backend_labels
        self.active = gauge(
            f"{s}_backend_connections_active",
            "The current active connections by local and remote address.", *labels)
        self.inactive = gauge(
            f"{s}_backend_connections_inactive",
            "The current inactive connections by local and remote address.", *labels)
        self.weight = gauge(
            f"{s}_backend_weight", "The current backend weight by local and remote address.", *labels)

    def collect(self) -> Iterator[MetricFamily]:
        stats_path = self.roots.proc("net", "ip_vs_stats")
        text = read_optional_text(stats_path)
        if text is None:
            log.debug("ipvs collector metrics are not available for this system")
            raise NoDataError(f"{stats_path} does not exist")
        stats = parse_ipvs_stats(text)
        # As node_exporter: the totals are sent before the backends are read.
        yield self.connections.one(stats.connections)
        yield self.incoming_packets.one(stats.incoming_packets)
        yield self.outgoing_packets.one(stats.outgoing_packets)
        yield self.incoming_bytes.one(stats.incoming_bytes)
        yield self.outgoing_bytes.one(stats.outgoing_bytes)
        backends = parse_ipvs_backend_status(read_text(self.roots.proc("net", "ip_vs")))

        # Backends that agree on the chosen labels are summed into one series.
        sums: dict[tuple[str, ...], list[int]] = {}
        for backend in backends:
            key = tuple(_label_value(backend, label) for label in self.backend_labels)
            total = sums.setdefault(key, [0, 0, 0])
            total[0] += backend.active_conn
            total[1] += backend.inact_conn
            total[2] += backend.weight
        active, inactive, weight = self.active.family(), self.inactive.family(), self.weight.family()
        for key, (act, inact, wgt) in sums.items():
            active.add(act, *key)
            inactive.add(inact, *key)
            weight.add(wgt, *key)
        yield from (active, inactive, weight)
