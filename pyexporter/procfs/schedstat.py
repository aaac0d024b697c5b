"""/proc/schedstat: per-CPU scheduler statistics, as prometheus/procfs reads them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint
from pyexporter.golang.strings import go_lines

# procfs searches each line (unanchored) for a cpuN line with at least nine
# values; fields 7-9 are running time (ns), waiting time (ns) and timeslices.
_CPU_LINE = re.compile(r"cpu([0-9]+)" + r" ([0-9]+)" * 9)


@dataclass(frozen=True, slots=True)
class SchedstatCPU:
    cpu: str
    running_nanoseconds: int
    waiting_nanoseconds: int
    run_timeslices: int


def parse_schedstat(text: str) -> list[SchedstatCPU]:
    """The cpuN lines; other lines (version, timestamp, domainN) are not CPU lines and are skipped."""
    out: list[SchedstatCPU] = []
    for line in go_lines(text):
        match = _CPU_LINE.search(line)
        if match is None:
            continue
        try:
            values = [parse_uint(match.group(i)) for i in (8, 9, 10)]
        except ParseError:
            # A counter beyond 64 bits: procfs drops that CPU and goes on.
            continue
        out.append(SchedstatCPU(match.group(1), *values))
    return out
