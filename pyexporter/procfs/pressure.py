"""/proc/pressure/<resource> (pressure stall information), parsed as prometheus/procfs parses it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_float, parse_uint
from pyexporter.golang.strings import go_lines

# fmt.Sscanf("some avg10=%f avg60=%f avg300=%f total=%d"): the literal text must
# match, blanks in the format match any run of blanks, and input after the last
# number is ignored.
_NUMBER = r"([^\s=]+)"
_LINE = re.compile(rf"(some|full) *avg10={_NUMBER} *avg60={_NUMBER} *avg300={_NUMBER} *total=([0-9]+)")


@dataclass(frozen=True, slots=True)
class PSILine:
    avg10: float
    avg60: float
    avg300: float
    #: Total stall time in microseconds.
    total: int


@dataclass(frozen=True, slots=True)
class PSIStats:
    some: PSILine | None = None
    full: PSILine | None = None


def parse_psi(text: str) -> PSIStats:
    """The `some` and `full` lines; lines with another first word are ignored (future kinds)."""
    some = full = None
    for line in go_lines(text):
        kind = line.split(" ", 1)[0]
        if kind not in ("some", "full"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise ParseError(f"invalid pressure line {line[:80]!r}")
        psi = PSILine(parse_float(match.group(2)), parse_float(match.group(3)), parse_float(match.group(4)),
                      parse_uint(match.group(5)))
        if kind == "some":
            some = psi
        else:
            full = psi
    return PSIStats(some, full)
