"""/proc/<pid>/net/netstat, parsed as prometheus/procfs's Proc.Netstat parses it.

Lines come in pairs, names then values, each split on single spaces; a pair whose lengths differ, or
any value that is not a number, fails the whole file. Of IpExt, client_golang reports the bytes the
network namespace received and sent (InOctets, OutOctets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_float
from pyexporter.golang.strings import go_lines

#: A row of plain decimal counters, every one of which ParseFloat takes: checked in one match.
_DECIMAL_ROW = re.compile(r"[^ ]*(?: [0-9]{1,20})*")


@dataclass(frozen=True, slots=True)
class ProcNetstatOctets:
    """IpExt's byte counters; None when the file has no such field."""

    in_octets: float | None = None
    out_octets: float | None = None


def parse_proc_netstat(text: str) -> ProcNetstatOctets:
    lines = go_lines(text)
    octets: dict[str, float] = {}
    for index in range(0, len(lines), 2):
        names = lines[index].split(" ")
        # An odd last line pairs with nothing: bufio.Scanner's Text() is then empty.
        value_line = lines[index + 1] if index + 1 < len(lines) else ""
        values = value_line.split(" ")
        protocol = names[0].removesuffix(":")
        if len(names) != len(values):
            raise ParseError(f"field count mismatch in {protocol[:40]!r}")
        wanted = protocol == "IpExt"
        if not wanted and _DECIMAL_ROW.fullmatch(value_line):
            continue
        for name, value in zip(names[1:], values[1:], strict=True):
            number = parse_float(value)
            if wanted and name in ("InOctets", "OutOctets"):
                octets[name] = number
    return ProcNetstatOctets(octets.get("InOctets"), octets.get("OutOctets"))
