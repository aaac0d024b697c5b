"""strings.Fields, strings.TrimSpace and bufio.Scanner's lines, as prometheus/procfs splits text.

Python's str.split, strip and splitlines are more lenient (str.split also
splits on \x1c-\x1f, splitlines breaks on form feeds and record separators),
which would turn input node_exporter rejects into values, so parsers use these
instead. go_lines raises ParseError (bufio.ErrTooLong) and nothing else.
"""

from __future__ import annotations

import re

from pyexporter.errors import ParseError

__all__ = ["GO_SPACE", "GO_SPACE_CLASS", "MAX_LINE", "go_fields", "go_lines", "go_trim_space"]

#: bufio.MaxScanTokenSize: a longer line makes the Scanner fail.
MAX_LINE = 64 * 1024

#: unicode.IsSpace, as a regex character class body: what strings.Fields splits on
#: (Python's str.split also splits on \x1c-\x1f, which Go keeps inside a field).
GO_SPACE_CLASS = "\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: unicode.IsSpace as a string of characters: what strings.TrimSpace trims.
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
    "\u2028\u2029\u202f\u205f\u3000"

_GO_SPACE_RUN = re.compile(f"[{GO_SPACE_CLASS}]+")


def go_lines(text: str, max_line: int = MAX_LINE) -> list[str]:
    """The lines bufio.Scanner yields: split on \\n, one trailing \\r dropped, no final empty line.

    A line of `max_line` characters or more fails the Scanner (bufio.ErrTooLong);
    callers that give the Scanner a larger buffer (procfs reads /proc/stat with
    1 MiB lines) pass their own limit.
    """
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    out = []
    for line in lines:
        if len(line) >= max_line:
            raise ParseError(f"line longer than {max_line} bytes")
        out.append(line[:-1] if line.endswith("\r") else line)
    return out


def go_fields(line: str) -> list[str]:
    """strings.Fields: the runs of non-space characters."""
    return [part for part in _GO_SPACE_RUN.split(line) if part]


def go_trim_space(text: str) -> str:
    """strings.TrimSpace."""
    return text.strip(GO_SPACE)
