"""qdisc: queueing discipline statistics of the root qdisc of every network device.

Live, the qdiscs come from rtnetlink (RTM_GETQDISC dump) through pyroute2,
read as node_exporter's qdisc library reads them: the legacy TCA_STATS block,
which the kernel sends after TCA_STATS2, has the last word on the counters it
carries, requeues come from TCA_STATS2 alone, and a parent of TC_H_ROOT counts
as the root. With --collector.qdisc.fixtures the list is read from
<dir>/results.json instead, decoded as Go decodes it into its QdiscInfo struct.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pyexporter import fs, netlink_thread
from pyexporter.errors import ConfigError, NoDataError, ParseError
from pyexporter.filters import DeviceFilter
from pyexporter.golang import json as gojson
from pyexporter.metrics import NAMESPACE, MetricFamily, counter, gauge
from pyexporter.registry import Collector, Flag, register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)

#: TC_H_ROOT: the parent handle of a device's root qdisc.
TC_H_ROOT = 0xFFFFFFFF

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
    records = gojson.decode_struct_list(gojson.loads(data), QDISC_INFO_FIELDS)
    return [QdiscInfo(device=r["IfaceName"], kind=r["Kind"], parent=r["Parent"], bytes=r["Bytes"],
                      packets=r["Packets"], drops=r["Drops"], requeues=r["Requeues"],
                      overlimits=r["Overlimits"], qlen=r["Qlen"], backlog=r["Backlog"])
            for r in records]


def qdisc_from_message(msg: Any, ifname: Callable[[int], str]) -> QdiscInfo:
    """One RTM_NEWQDISC message as decoded by pyroute2 (a tcmsg)."""
    parent = msg["parent"]
    info = QdiscInfo(device="", kind="", parent=0 if parent == TC_H_ROOT else parent)
    for attr in msg["attrs"]:
        name, value = attr[0], attr[1]
        if name == "TCA_KIND":
            info.kind = value
        elif name == "TCA_STATS2":
            basic = value.get_attr("TCA_STATS_BASIC") or {}
            queue = value.get_attr("TCA_STATS_QUEUE") or {}
            info.bytes, info.packets = basic.get("bytes", 0), basic.get("packets", 0)
            info.qlen, info.backlog = queue.get("qlen", 0), queue.get("backlog", 0)
            info.drops, info.requeues = queue.get("drops", 0), queue.get("requeues", 0)
            info.overlimits = queue.get("overlimits", 0)
        elif name == "TCA_STATS":
            info.bytes, info.packets = value["bytes"], value["packets"]
            info.drops, info.overlimits = value["drop"], value["overlimits"]
            info.qlen, info.backlog = value["qlen"], value["backlog"]
    # Like node_exporter, an interface that vanished since the dump fails the scrape.
    info.device = ifname(msg["index"])
    return info


def read_live_qdiscs() -> list[QdiscInfo]:
    """Every qdisc of the running kernel (all devices of this network namespace)."""
    try:
        from pyroute2 import IPRoute
    except ImportError:
        raise NoDataError("pyroute2 is not installed; qdisc statistics need rtnetlink") from None

    def dump() -> list[QdiscInfo]:
        with IPRoute() as ipr:
            messages = list(ipr.get_qdiscs())
        return [qdisc_from_message(msg, socket.if_indextoname) for msg in messages]

    return netlink_thread.run(dump)


@register
class QdiscCollector(Collector):
    name = "qdisc"
    default_enabled = False
    flags = (
        Flag("collector.qdisc.fixtures", "test fixtures to use for qdisc collector end-to-end testing", ""),
        Flag("collector.qdisc.device-include",
             "Regexp of qdisc devices to include (mutually exclusive to device-exclude).", None),
        Flag("collector.qdisk.device-include", "DEPRECATED: Use collector.qdisc.device-include", None,
             hidden=True),
        Flag("collector.qdisc.device-exclude",
             "Regexp of qdisc devices to exclude (mutually exclusive to device-include).", None),
        Flag("collector.qdisk.device-exclude", "DEPRECATED: Use collector.qdisc.device-exclude", None,
             hidden=True),
    )

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        include = self._with_deprecated("device-include")
        exclude = self._with_deprecated("device-exclude")
        if include and exclude:
            raise ConfigError("collector.qdisc.device-include and collector.qdisc.device-exclude are "
                              "mutaly exclusive")
        self.device_filter = DeviceFilter(exclude, include)
        self.fixtures = self.flag("collector.qdisc.fixtures") or ""
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

    def _with_deprecated(self, suffix: str) -> str | None:
        """The qdisc.* flag, or its deprecated qdisk.* spelling when only that one is set."""
        current = self.flag(f"collector.qdisc.{suffix}")
        old = self.flag(f"collector.qdisk.{suffix}")
        if old:
            if current:
                raise ConfigError(f"--collector.qdisk.{suffix} and --collector.qdisc.{suffix} are mutually "
                                  "exclusive")
            log.warning("--collector.qdisk.%s is DEPRECATED and will be removed in 2.0.0, use "
                        "--collector.qdisc.%s", suffix, suffix)
            return old
        return current

    def _qdiscs(self) -> Iterable[QdiscInfo]:
        if not self.fixtures:
            return read_live_qdiscs()
        try:
            return parse_qdisc_fixture(fs.read_file(os.path.join(self.fixtures, "results.json")))
        except ParseError as exc:
            raise ParseError(f"{self.fixtures}: {exc}") from None

    def collect(self) -> list[MetricFamily]:
        families = [(attr, desc.family()) for attr, desc in self.descs]
        for info in self._qdiscs():
            # Only root qdiscs: a child's packets are counted again by its parents.
            if info.parent != 0 or self.device_filter.ignored(info.device):
                continue
            for attr, family in families:
                family.add(getattr(info, attr), info.device, info.kind)
        return [family for _, family in families]
