"""netstat: /proc/net/netstat, /proc/net/snmp and /proc/net/snmp6 as node_netstat_<Protocol>_<Field>."""

from __future__ import annotations

import re

from pyexporter.errors import ConfigError, ParseError
from pyexporter.fs import read_optional_text, read_text
from pyexporter.golang.strconv import parse_float
from pyexporter.golang.strings import go_fields, go_lines
from pyexporter.metrics import NAMESPACE, Desc, MetricFamily, untyped
from pyexporter.registry import Collector, Flag, register

DEFAULT_FIELDS = (
    r"^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)"
    r"|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts|TCPOFOQueue|TCPRcvQDrop)"
    r"|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)"
    r"|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$"
)

Stats = dict[str, dict[str, str]]


def parse_net_stats(text: str, source: str = "netstat") -> Stats:
    """/proc/net/netstat or /proc/net/snmp: pairs of lines 'Proto: Name ...' / 'Proto: value ...'.

    As node_exporter, lines are split on single spaces and a protocol seen twice
    replaces the earlier one; a pair whose field counts differ is an error.
    """
    out: Stats = {}
    lines = go_lines(text)
    for i in range(0, len(lines), 2):
        names = lines[i].split(" ")
        values = lines[i + 1].split(" ") if i + 1 < len(lines) else [""]
        if not names[0]:
            raise ParseError(f"{source}: line {i + 1} has no protocol")
        # The protocol is the first field without its trailing colon.
        protocol = names[0][:-1]
        if len(names) != len(values):
            raise ParseError(f"mismatch field count mismatch in {source}: {protocol}")
        out[protocol] = dict(zip(names[1:], values[1:], strict=True))
    return out


def parse_snmp6(text: str) -> Stats:
    """/proc/net/snmp6: 'Ip6InReceives 7' lines; the protocol ends at the first '6' of the name."""
    out: Stats = {}
    for line in go_lines(text):
        parts = go_fields(line)
        if len(parts) < 2:
            continue
        six = parts[0].find("6")
        if six == -1:
            continue
        protocol, name = parts[0][:six + 1], parts[0][six + 1:]
        out.setdefault(protocol, {})[name] = parts[1]
    return out


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
