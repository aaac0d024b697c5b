"""qdisc: queueing discipline statistics of the root qdisc of every network device.

Live, the qdiscs come from an rtnetlink RTM_GETQDISC dump with the
collector's timeout (pyexporter.rtnetlink), decoded by pyexporter.netlink.rtnl
as node_exporter's qdisc library reads them: the legacy TCA_STATS block, which
the kernel sends after TCA_STATS2, has the last word on the counters it
carries, requeues come from TCA_STATS2 alone, and a parent of TC_H_ROOT counts
as the root. With --collector.qdisc.fixtures the list is read from
<dir>/results.json instead, decoded as Go decodes it into its QdiscInfo struct.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pyexporter import fs, rtnetlink
from pyexporter.errors import ConfigError, ParseError
from pyexporter.filters import DeviceFilter
from pyexporter.flags import DeprecatedAlias, RegexFlag, SetWhen, StringFlag
from pyexporter.golang import json as go_json
from pyexporter.metrics import NAMESPACE, MetricFamily, counter, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)

#: The fields of Go's qdisc.QdiscInfo that a fixture may set, with their Go types.
QDISC_INFO_FIELDS = {
    "IfaceName": "string", "Parent": "uint32", "Handle": "uint32", "Kind": "string", "Bytes": "uint64",
    "Packets": "uint32", "Drops": "uint32", "Requeues": "uint32", "Overlimits": "uint32",
    "GcFlows": "uint64", "Throttled": "uint64", "FlowsPlimit": "uint64", "Qlen": "uint32",
    "Backlog": "uint32",
}


@dataclass(slots=True)
class QdiscInfo:
    device: str
    kind: str
    parent: int = 0
    bytes: int = 0
    packets: int = 0
    drops: int = 0
    requeues: int = 0
    overlimits: int = 0
    qlen: int = 0
    backlog: int = 0


def parse_qdisc_fixture(data: bytes) -> list[QdiscInfo]:
    """A results.json fixture: a JSON array of QdiscInfo objects."""
    records = go_json.decode_struct_list(go_json.loads(data), QDISC_INFO_FIELDS)
    return [QdiscInfo(device=r["IfaceName"], kind=r["Kind"], parent=r["Parent"], bytes=r["Bytes"],
                      packets=r["Packets"], drops=r["Drops"], requeues=r["Requeues"],
                      overlimits=r["Overlimits"], qlen=r["Qlen"], backlog=r["Backlog"])
            for r in records]


def read_live_qdiscs(timeout: float) -> list[QdiscInfo]:
    """Every qdisc of the running kernel (all devices of this network namespace)."""
    # An interface that vanished since the dump fails the scrape here (if_indextoname raises);
    # node_exporter's qdisc library would report it with an empty device name.
    return [QdiscInfo(device=socket.if_indextoname(q.index), kind=q.kind, parent=q.parent, bytes=q.bytes,
                      packets=q.packets, drops=q.drops, requeues=q.requeues, overlimits=q.overlimits,
                      qlen=q.qlen, backlog=q.backlog)
            for q in rtnetlink.qdiscs(timeout)]


FIXTURES = StringFlag("collector.qdisc.fixtures",
                      "test fixtures to use for qdisc collector end-to-end testing", "")
# Regular expressions, though node_exporter declares them as plain strings (--help says STRING).
DEVICE_INCLUDE = RegexFlag(
    "collector.qdisc.device-include",
    "Regexp of qdisc devices to include (mutually exclusive to device-exclude).",
    metavar="STRING", alias=DeprecatedAlias("collector.qdisk.device-include", SetWhen.NON_EMPTY))
DEVICE_EXCLUDE = RegexFlag(
    "collector.qdisc.device-exclude",
    "Regexp of qdisc devices to exclude (mutually exclusive to device-include).",
    metavar="STRING", alias=DeprecatedAlias("collector.qdisk.device-exclude", SetWhen.NON_EMPTY))


@register
class QdiscCollector(Collector):
    name = "qdisc"
    default_enabled = False
    flags = (FIXTURES, DEVICE_INCLUDE, DEVICE_EXCLUDE)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        include, exclude = settings[DEVICE_INCLUDE], settings[DEVICE_EXCLUDE]
        if not DEVICE_INCLUDE.is_empty(include) and not DEVICE_EXCLUDE.is_empty(exclude):
            raise ConfigError("collector.qdisc.device-include and collector.qdisc.device-exclude are "
                              "mutaly exclusive")
        self.device_filter = DeviceFilter(exclude, include)
        self.fixtures = settings[FIXTURES] or ""
        labels = ("device", "kind")
        sub = f"{NAMESPACE}_qdisc"
        self.descs = (
            ("bytes", counter(f"{sub}_bytes_total", "Number of bytes sent.", *labels)),
            ("packets", counter(f"{sub}_packets_total", "Number of packets sent.", *labels)),
            ("drops", counter(f"{sub}_drops_total", "Number of packets dropped.", *labels)),
            ("requeues", counter(f"{sub}_requeues_total",
                                 "Number of packets dequeued, not transmitted, and requeued.", *labels)),
            ("overlimits", counter(f"{sub}_overlimits_total", "Number of overlimit packets.", *labels)),
            ("qlen", gauge(f"{sub}_current_queue_length",
                           "Number of packets currently in queue to be sent.", *labels)),
            ("backlog", gauge(f"{sub}_backlog", "Number of bytes currently in queue to be sent.", *labels)),
        )

    def _qdiscs(self) -> Iterable[QdiscInfo]:
        if not self.fixtures:
            return read_live_qdiscs(self.settings.collector_timeout)
        try:
            return parse_qdisc_fixture(fs.read_file(os.path.join(self.fixtures, "results.json")))
        except ParseError as exc:
            raise ParseError(f"{self.fixtures}: {exc}") from None

    def collect(self) -> Iterator[MetricFamily]:
        families = [(attr, desc.family()) for attr, desc in self.descs]
        for info in self._qdiscs():
            # Only root qdiscs: a child's packets are counted again by its parents.
            if info.parent != 0 or self.device_filter.ignored(info.device):
                continue
            for attr, family in families:
                family.add(getattr(info, attr), info.device, info.kind)
        yield from (family for _, family in families)
