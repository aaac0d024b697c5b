"""/proc/<pid>/stat, parsed as prometheus/procfs's Proc.Stat parses it (client_golang's process_*).

The command name sits between the first "(" and the last ")" and may hold spaces and parentheses;
after it come the state and 41 numbers, read in one fmt.Fscan, so a missing or malformed one fails the
whole file.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_int, parse_uint
from pyexporter.golang.strings import go_fields

#: The kinds of the 41 numbers after the state, as procfs declares the fields it scans them into
#: (signed "i", unsigned "u"; fmt.Fscan refuses a sign for an unsigned one).
_FIELD_KINDS = "iiiii" "uuuuuuu" "iiiiii" "uu" "i" "uuuu" "uuuuuuuuu" "i" "uuuu" "ii"
#: Positions among those numbers (ppid is 0).
_UTIME, _STIME, _STARTTIME, _VSIZE, _RSS = 10, 11, 18, 19, 20


@dataclass(frozen=True, slots=True)
class ProcStat:
    """The fields of /proc/<pid>/stat that client_golang's process collector reports."""

    #: CPU time in user and kernel mode, in clock ticks (USER_HZ).
    utime: int
    stime: int
    #: When the process started, in clock ticks after boot.
    starttime: int
    #: Virtual memory size in bytes.
    vsize: int
    #: Resident set size in pages.
    rss: int


def _number(field: str, signed: bool) -> int:
    # The kernel writes plain decimals: those skip the general parser (base prefixes, underscores),
    # which fmt.Fscan's %v would also take.
    digits = field[1:] if signed and field[:1] == "-" else field
    if digits.isascii() and digits.isdigit() and len(digits) <= 18:
        return int(field)
    return parse_int(field, 0) if signed else parse_uint(field, 0)


def parse_proc_stat(text: str) -> ProcStat:
    left, right = text.find("("), text.rfind(")")
    if left < 0 or right < 0:
        raise ParseError("unexpected format, couldn't extract comm")
    fields = go_fields(text[right + 2:])
    if len(fields) < 1 + len(_FIELD_KINDS):
        raise ParseError(f"{len(fields)} fields after the command name, want {1 + len(_FIELD_KINDS)}")
    numbers = [_number(field, kind == "i") for kind, field in zip(_FIELD_KINDS, fields[1:], strict=False)]
    return ProcStat(numbers[_UTIME], numbers[_STIME], numbers[_STARTTIME], numbers[_VSIZE], numbers[_RSS])
