"""netstat: /proc/net/netstat, /proc/net/snmp and /proc/net/snmp6 as node_netstat_<Protocol>_<Field>."""

from __future__ import annotations

import re

from pyexporter.errors import ConfigError
from pyexporter.fs import read_optional_text, read_text
from pyexporter.golang.strconv import parse_float
from pyexporter.metrics import NAMESPACE, Desc, MetricFamily, untyped
from pyexporter.procfs.netstat import parse_net_stats, parse_snmp6
from pyexporter.registry import Collector, Flag, register

DEFAULT_FIELDS = (
    r"^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)"
    r"|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts|TCPOFOQueue|TCPRcvQDrop)"
    r"|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)"
    r"|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$"
)


@register
class NetStatCollector(Collector):
    name = "netstat"
    flags = (
        Flag("collector.netstat.fields", "Regexp of fields to return for netstat collector.",
             DEFAULT_FIELDS, "regex"),
    )

    def __init__(self, settings) -> None:
        super().__init__(settings)
        try:
            self.field_pattern = re.compile(self.flag("collector.netstat.fields") or "")
        except re.error as exc:
            raise ConfigError(f"invalid --collector.netstat.fields: {exc}") from None
        self._descs: dict[str, Desc] = {}

    def _desc(self, protocol: str, name: str) -> Desc:
        key = f"{protocol}_{name}"
        desc = self._descs.get(key)
        if desc is None:
            # Field names come from the kernel; the set is stable, so they are built once each.
            desc = self._descs[key] = untyped(f"{NAMESPACE}_netstat_{key}", f"Statistic {protocol}{name}.")
        return desc

    def collect(self) -> list[MetricFamily]:
        stats = parse_net_stats(read_text(self.roots.proc("net", "netstat")), "netstat")
        stats.update(parse_net_stats(read_text(self.roots.proc("net", "snmp")), "snmp"))
        # Without IPv6 there is no snmp6: node_exporter goes on without it.
        snmp6 = read_optional_text(self.roots.proc("net", "snmp6"))
        if snmp6 is not None:
            stats.update(parse_snmp6(snmp6))
        out = []
        for protocol, values in stats.items():
            for name, raw in values.items():
                # node_exporter converts every value before filtering: any bad one fails the scrape.
                value = parse_float(raw)
                if not self.field_pattern.search(f"{protocol}_{name}"):
                    continue
                out.append(self._desc(protocol, name).one(value))
        return out
