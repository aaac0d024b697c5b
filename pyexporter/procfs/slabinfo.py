"""/proc/slabinfo (version 2.1): the kernel's slab caches."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_int
from pyexporter.golang.strings import go_lines

# Go's \s: the runs procfs collapses to one space before splitting on it.
_GO_WHITESPACE = re.compile(r"[\t\n\f\r ]+")
_VERSION_LINE = re.compile(r"slabinfo -")
_HEADER_LINE = re.compile(r"# name")


@dataclass(frozen=True, slots=True)
class Slab:
    name: str
    active_objects: int
    objects: int
    object_size: int
    objects_per_slab: int
    pages_per_slab: int


def parse_slabinfo(text: str) -> list[Slab]:
    """Rows of `name active num objsize objperslab pagesperslab : tunables l b s : slabdata a n s`.

    As procfs, a row must split into exactly 16 fields (so leading or trailing
    blanks make it invalid); the version and header lines are skipped.
    """
    out: list[Slab] = []
    for line in go_lines(text):
        if _VERSION_LINE.search(line) or _HEADER_LINE.search(line):
            continue
        parts = _GO_WHITESPACE.sub(" ", line).split(" ")
        if len(parts) != 16:
            raise ParseError(f"slabinfo: unable to parse {line[:100]!r}")
        # procfs also checks that the tunables and slabdata numbers parse.
        for index in (8, 9, 10, 13, 14, 15):
            parse_int(parts[index])
        out.append(Slab(parts[0], *(parse_int(parts[i]) for i in range(1, 6))))
    return out
