"""softnet: /proc/net/softnet_stat as node_softnet_* per CPU."""

from __future__ import annotations

from collections.abc import Iterator

from pyexporter.fs import read_text
from pyexporter.metrics import NAMESPACE, MetricFamily, counter, gauge
from pyexporter.procfs.net_softnet import parse_softnet
from pyexporter.registry import Collector, register


@register
class SoftnetCollector(Collector):
    name = "softnet"

    def __init__(self, settings) -> None:
        super().__init__(settings)
        ns = f"{NAMESPACE}_softnet"
        # (SoftnetStat field, descriptor) in node_exporter's order.
        self.descs = (
            ("processed", counter(f"{ns}_processed_total", "Number of processed packets", "cpu")),
            ("dropped", counter(f"{ns}_dropped_total", "Number of dropped packets", "cpu")),
            ("time_squeezed", counter(f"{ns}_times_squeezed_total",
                                      "Number of times processing packets ran out of quota", "cpu")),
            ("cpu_collision", counter(
                f"{ns}_cpu_collision_total",
                "Number of collision occur while obtaining device lock while transmitting", "cpu")),
            ("received_rps", counter(f"{ns}_received_rps_total",
                                     "Number of times cpu woken up received_rps", "cpu")),
            ("flow_limit_count", counter(f"{ns}_flow_limit_count_total",
                                         "Number of times flow limit has been reached", "cpu")),
            ("backlog_len", gauge(f"{ns}_backlog_len", "Softnet backlog status", "cpu")),
        )

    def collect(self) -> Iterator[MetricFamily]:
        stats = parse_softnet(read_text(self.roots.proc("net", "softnet_stat")))
        for field, desc in self.descs:
            family = desc.family()
            for cpu in stats:
                family.add(getattr(cpu, field), str(cpu.index))
            yield family
