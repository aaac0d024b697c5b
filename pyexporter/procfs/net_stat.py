"""/proc/net/stat/*: per-CPU network cache statistics (the files lnstat reads)."""

from __future__ import annotations

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint
from pyexporter.golang.strings import go_fields, go_lines


def parse_lnstat(text: str) -> dict[str, list[int]]:
    """Header line of counter names, then one line of hexadecimal values per CPU.

    Returns the values of each counter in CPU order.
    """
    all_lines = go_lines(text)
    headers = go_fields(all_lines[0]) if all_lines else []
    stats: dict[str, list[int]] = {}
    for line in all_lines[1:]:
        for index, raw in enumerate(go_fields(line)):
            if index >= len(headers):
                raise ParseError(f"lnstat: more values than counter names in {line[:80]!r}")
            stats.setdefault(headers[index], []).append(parse_uint(raw, 16))
    return stats
