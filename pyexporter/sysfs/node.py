"""/sys/devices/system/node/node<N>: a NUMA node's meminfo and numastat."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_float
from pyexporter.golang.strings import go_fields, go_lines, go_trim_space
from pyexporter.metrics import COUNTER, GAUGE

# `Active(anon)` becomes `Active_anon`, as node_exporter names it.
_PARENTHESES = re.compile(r"\((.*)\)")


@dataclass(frozen=True, slots=True)
class NumaMetric:
    name: str
    type: str
    node: str
    value: float


def parse_node_meminfo(text: str) -> list[NumaMetric]:
    """`Node 0 MemTotal: 131928496 kB` lines; kB values become bytes."""
    out: list[NumaMetric] = []
    for raw_line in go_lines(text):
        line = go_trim_space(raw_line)
        if not line:
            continue
        parts = go_fields(line)
        if len(parts) < 4:
            raise ParseError(f"invalid line in node meminfo: {line[:80]!r}")
        value = parse_float(parts[3])
        if len(parts) == 5 and parts[4] == "kB":
            value *= 1024
        elif len(parts) != 4:
            raise ParseError(f"invalid line in node meminfo: {line[:80]!r}")
        name = _PARENTHESES.sub(r"_\1", parts[2].rstrip(":"))
        out.append(NumaMetric(name, GAUGE, parts[1], value))
    return out


def parse_node_numastat(text: str, node: str) -> list[NumaMetric]:
    """`numa_hit 193460335812` lines, exposed as `<name>_total` counters."""
    out: list[NumaMetric] = []
    for raw_line in go_lines(text):
        line = go_trim_space(raw_line)
        if not line:
            continue
        parts = go_fields(line)
        if len(parts) != 2:
            raise ParseError(f"numastat line did not have 2 fields: {line[:80]!r}")
        out.append(NumaMetric(parts[0] + "_total", COUNTER, node, parse_float(parts[1])))
    return out
