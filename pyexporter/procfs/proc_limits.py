"""/proc/<pid>/limits, parsed as prometheus/procfs's Proc.Limits parses it.

The first line is the header. Every other line must match procfs's pattern (the limit's name, two or
more spaces, the soft and the hard limit); of the limits procfs knows, the soft one must be a number
or "unlimited", which procfs reads as the largest uint64.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint
from pyexporter.golang.strings import go_lines

UNLIMITED = (1 << 64) - 1
#: procfs's limitsMatch; ASCII as Go's \w and \s are.
_LIMIT_LINE = re.compile(r"(Max \w+\s??\w*\s?\w*)\s{2,}(\w+)\s+(\w+)", re.ASCII)
_KNOWN = frozenset({
    "Max cpu time", "Max file size", "Max data size", "Max stack size", "Max core file size",
    "Max resident set", "Max processes", "Max open files", "Max locked memory", "Max address space",
    "Max file locks", "Max pending signals", "Max msgqueue size", "Max nice priority",
    "Max realtime priority", "Max realtime timeout",
})


@dataclass(frozen=True, slots=True)
class ProcLimits:
    """Soft limits client_golang reports; 0 when the file does not name them."""

    #: One more than the highest file descriptor number the process may open.
    open_files: int = 0
    #: Largest virtual address space in bytes (UNLIMITED for "unlimited").
    address_space: int = 0


def _limit(text: str) -> int:
    return UNLIMITED if text == "unlimited" else parse_uint(text)


def parse_proc_limits(text: str) -> ProcLimits:
    soft: dict[str, int] = {}
    for line in go_lines(text)[1:]:
        match = _LIMIT_LINE.search(line)
        if match is None:
            raise ParseError(f"couldn't parse limits line {line[:80]!r}")
        name = match.group(1).strip(" \t\n\v\f\r")
        if name in _KNOWN:
            soft[name] = _limit(match.group(2))
    return ProcLimits(soft.get("Max open files", 0), soft.get("Max address space", 0))
