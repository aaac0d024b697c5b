"""/proc/net/netstat, /proc/net/snmp and /proc/net/snmp6: the protocols' counters, by protocol and name."""

from __future__ import annotations

from pyexporter.errors import ParseError
from pyexporter.golang.strings import go_fields, go_lines

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
