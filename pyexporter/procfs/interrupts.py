"""/proc/interrupts: per-CPU counts of every interrupt line, with its type and devices."""

from __future__ import annotations

from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_int
from pyexporter.golang.strings import go_fields, go_lines


@dataclass(frozen=True, slots=True)
class Interrupt:
    name: str
    info: str
    devices: str
    values: tuple[str, ...]


def _is_numbered(name: str) -> bool:
    """strconv.Atoi succeeds: a numbered IRQ line carries chip info and devices separately."""
    try:
        parse_int(name)
    except ParseError:
        return False
    return True


def parse_interrupts(text: str) -> dict[str, Interrupt]:
    """Rows of /proc/interrupts by name; the header line tells the number of CPU columns.

    This is node_exporter's own parser (collector/interrupts_linux.go), not
    procfs's: rows with fewer values than CPUs (ERR, MIS) are skipped. procfs's
    newer Interrupts() keeps them with their single value; node_exporter 1.12.1
    shows none, and it wins. Values stay strings: node_exporter parses them when
    it emits them.
    """
    all_lines = go_lines(text)
    if not all_lines:
        raise ParseError("interrupts empty")
    cpu_count = len(go_fields(all_lines[0]))
    out: dict[str, Interrupt] = {}
    for line in all_lines[1:]:
        # On aarch64 the value may follow the colon without a space.
        name, sep, rest = line.partition(":")
        if not sep:
            continue
        parts = go_fields(rest)
        if len(parts) < cpu_count + 1:
            continue
        name = name.lstrip(" ")
        values = tuple(parts[:cpu_count])
        if _is_numbered(name):
            out[name] = Interrupt(name, parts[cpu_count], " ".join(parts[cpu_count + 1:]), values)
        else:
            out[name] = Interrupt(name, " ".join(parts[cpu_count:]), "", values)
    return out
