"""/proc/net/softnet_stat: per-CPU packet processing statistics (prometheus/procfs NetSoftnetStat)."""

from __future__ import annotations

from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint
from pyexporter.golang.strings import go_fields, go_lines

_MIN_COLUMNS = 9


@dataclass(frozen=True, slots=True)
class SoftnetStat:
    processed: int
    dropped: int
    time_squeezed: int
    cpu_collision: int
    received_rps: int
    flow_limit_count: int
    backlog_len: int
    #: The CPU: the last column since Linux 5.14, the line number before.
    index: int
    width: int


def _hex32(values: list[str]) -> list[int]:
    return [parse_uint(value, 16, 32) for value in values]


def parse_softnet(text: str) -> list[SoftnetStat]:
    """One entry per CPU line. Columns are hexadecimal; newer kernels append columns."""
    out = []
    for line_no, line in enumerate(go_lines(text)):
        columns = go_fields(line)
        width = len(columns)
        if width < _MIN_COLUMNS:
            raise ParseError(f"softnet_stat: detected {width} columns, but expected at least {_MIN_COLUMNS}")
        base = _hex32(columns[:9])
        # Linux 2.6.39 added received_rps, 4.18 flow_limit_count, 5.14 backlog length and CPU index.
        received_rps = _hex32(columns[9:10])[0] if width >= 10 else 0
        flow_limit = _hex32(columns[10:11])[0] if width >= 11 else 0
        backlog_len, index = _hex32(columns[11:13]) if width >= 13 else (0, line_no)
        out.append(SoftnetStat(base[0], base[1], base[2], base[8], received_rps, flow_limit,
                               backlog_len, index, width))
    return out
