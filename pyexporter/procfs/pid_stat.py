"""/proc/<pid>/stat: the state and thread count of one process (or thread)."""

from __future__ import annotations

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_int

#: Fields procfs scans after the command name; fewer make the stat file invalid.
STAT_FIELDS_AFTER_COMM = 40
_NUM_THREADS_INDEX = 17


def parse_pid_stat(data: bytes) -> tuple[str, int]:
    """(state, num_threads) from the content of /proc/<pid>/stat.

    The command name may hold spaces and parentheses, so the fields start after
    the last ')'. Only what this collector needs is converted; the field count
    is checked as procfs checks it.
    """
    left = data.find(b"(")
    right = data.rfind(b")")
    if left < 0 or right < 0:
        raise ParseError(f"unexpected format, couldn't extract comm: {data[:80]!r}")
    rest = data[right + 2:].split()
    if len(rest) < STAT_FIELDS_AFTER_COMM:
        raise ParseError(
            f"stat has {len(rest)} fields after the command name, {STAT_FIELDS_AFTER_COMM} expected"
        )
    try:
        num_threads = int(rest[_NUM_THREADS_INDEX])
    except ValueError:
        num_threads = parse_int(rest[_NUM_THREADS_INDEX].decode("ascii", "replace"), 0)
    return rest[0].decode("utf-8", "replace"), num_threads
