"""procfs/proc_stat.py: /proc/<pid>/stat as client_golang's process collector reads it (process_*)."""

from __future__ import annotations

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.proc_stat import ProcStat, parse_proc_stat

#: After the command name: state, then 41 numbers; utime 11, stime 12, starttime 19, vsize 20, rss 21
#: (counting the state as 0).
STAT_TAIL = ("S 1 2 3 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 3 0 12345 28311552 4321 "
             "18446744073709551615 1 1 0 0 0 0 0 16781312 0 0 0 17 1 0 0 0 0 0 0")


@pytest.mark.parametrize(("text", "expected"), [
    (f"4242 (python3) {STAT_TAIL}\n", ProcStat(250, 75, 12345, 28311552, 4321)),
    # The name may hold spaces and parentheses: it ends at the last ")".
    (f"4242 (a (b) c) {STAT_TAIL}\n", ProcStat(250, 75, 12345, 28311552, 4321)),
    (f"4242 (x)) {STAT_TAIL}", ProcStat(250, 75, 12345, 28311552, 4321)),
    # Fields beyond the 42 procfs scans (newer kernels add some) are ignored.
    (f"4242 (x) {STAT_TAIL} 7 8 9\n", ProcStat(250, 75, 12345, 28311552, 4321)),
])
def test_parse_proc_stat(text, expected):
    assert parse_proc_stat(text) == expected


@pytest.mark.parametrize("text", [
    "",
    "4242 python3 S 1 2 3\n",                                 # no parentheses
    "4242 (python3)",                                         # nothing after the name
    f"4242 (python3) {STAT_TAIL.rsplit(' ', 1)[0]}\n",         # one number short (truncated)
    f"4242 (python3) {STAT_TAIL.replace(' 250 ', ' x ')}\n",   # utime not a number
    f"4242 (python3) {STAT_TAIL.replace(' 250 ', ' -250 ')}\n",  # utime is unsigned
    f"4242 (python3) {STAT_TAIL.replace(' 28311552 ', ' 99999999999999999999999 ')}\n",  # out of range
    "\x00\xff garbage (((",
])
def test_parse_proc_stat_refuses(text):
    with pytest.raises(ParseError):
        parse_proc_stat(text)


def test_the_exporters_own_file_parses():
    # The running kernel's format, whatever this machine is.
    with open("/proc/self/stat") as f:
        parse_proc_stat(f.read())
