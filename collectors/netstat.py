"""netstat: /proc/net/netstat, /proc/net/snmp and /proc/net/snmp6 as node_netstat_<Protocol>_<Field>."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pyexporter.flags import RegexFlag
from pyexporter.fs import read_optional_text, read_text
from pyexporter.golang.strconv import parse_float
from pyexporter.metrics import NAMESPACE, Desc, MetricFamily, untyped
from pyexporter.procfs.netstat import parse_net_stats, parse_snmp6
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

DEFAULT_FIELDS = (
    r"^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)"
    r"|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts|TCPOFOQueue|TCPRcvQDrop)"
    r"|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)"
    r"|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$"
)


FIELDS = RegexFlag("collector.netstat.fields", "Regexp of fields to return for netstat collector.",
                   DEFAULT_FIELDS)


@register
class NetStatCollector(Collector):
    name = "netstat"
    flags = (FIELDS,)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.field_pattern = settings[FIELDS] or re.compile("")
        self._descs: dict[str, Desc] = {}

    def _desc(self, protocol: str, name: str) -> Desc:
        key = f"{protocol}_{name}"
        desc = self._descs.get(key)
        if desc is None:
            # Field names come from the kernel; the set is stable, so they are built once each.
            desc = self._descs[key] = untyped(f"{NAMESPACE}_netstat_{key}", f"Statistic {protocol}{name}.")
        return desc

    def collect(self) -> Iterator[MetricFamily]:
        stats = parse_net_stats(read_text(self.roots.proc("net", "netstat")), "netstat")
        stats.update(parse_net_stats(read_text(self.roots.proc("net", "snmp")), "snmp"))
        # Without IPv6 there is no snmp6: node_exporter goes on without it.
        snmp6 = read_optional_text(self.roots.proc("net", "snmp6"))
        if snmp6 is not None:
            stats.update(parse_snmp6(snmp6))
        families = []
        for protocol, values in stats.items():
            for name, raw in values.items():
                # node_exporter converts every value before filtering: any bad one fails the scrape.
                value = parse_float(raw)
                if not self.field_pattern.search(f"{protocol}_{name}"):
                    continue
                families.append(self._desc(protocol, name).one(value))
        yield from families
