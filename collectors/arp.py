"""arp: the number of IPv4 neighbour (ARP) entries per device as node_arp_entries.

As node_exporter, the table is read over rtnetlink by default and from
/proc/net/arp (under --path.procfs) with --no-collector.arp.netlink.
"""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Iterator

from pyexporter import rtnetlink
from pyexporter.filters import DeviceFilter
from pyexporter.flags import BoolFlag, RegexFlag
from pyexporter.fs import read_text
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.procfs.net_arp import parse_arp
from pyexporter.registry import Collector, register


def count_neighbours(neighbours: list[rtnetlink.Neighbour], names: dict[int, str]) -> Counter[str]:
    """Entries per interface name, without NUD_NOARP entries as /proc/net/arp leaves them out.

    An entry of an interface that went away since the neighbour dump is not
    counted, as node_exporter skips an index it no longer finds.
    """
    counts: Counter[str] = Counter()
    for neigh in neighbours:
        if not neigh.has_attributes or neigh.state & rtnetlink.NUD_NOARP:
            continue
        name = names.get(neigh.index)
        if name is not None:
            counts[name] += 1
    return counts


DEVICE_INCLUDE = RegexFlag("collector.arp.device-include",
                           "Regexp of arp devices to include (mutually exclusive to device-exclude).")
DEVICE_EXCLUDE = RegexFlag("collector.arp.device-exclude",
                           "Regexp of arp devices to exclude (mutually exclusive to device-include).")
NETLINK = BoolFlag("collector.arp.netlink", "Use netlink to gather stats instead of /proc/net/arp.", True)


@register
class ARPCollector(Collector):
    name = "arp"
    flags = (DEVICE_INCLUDE, DEVICE_EXCLUDE, NETLINK)

    def __init__(self, settings) -> None:
        super().__init__(settings)
        # node_exporter does not reject both patterns here: both apply.
        self.filter = DeviceFilter(settings[DEVICE_EXCLUDE], settings[DEVICE_INCLUDE])
        self.use_netlink = settings[NETLINK]
        self.entries = gauge(f"{NAMESPACE}_arp_entries", "ARP entries by device", "device")

    def _counts(self) -> Counter[str]:
        if self.use_netlink:
            # Neighbours first, then names, in node_exporter's order.
            timeout = self.settings.collector_timeout
            neighbours = rtnetlink.neighbours(socket.AF_INET, timeout)
            return count_neighbours(neighbours, rtnetlink.interface_names(timeout))
        return Counter(entry.device for entry in parse_arp(read_text(self.roots.proc("net", "arp"))))

    def collect(self) -> Iterator[MetricFamily]:
        family = self.entries.family()
        for device, count in self._counts().items():
            if not self.filter.ignored(device):
                family.add(count, device)
        yield family
