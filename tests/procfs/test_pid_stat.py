"""/proc/<pid>/stat's parser, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.pid_stat import parse_pid_stat

TAIL = "0 1 1 0 -1 4194560 9061 9416027 94 2620 36 98 54406 13885 20 0 {threads} 0 29 109604864 2507 " \
       "18446744073709551615 1 1 0 0 0 0 671173123 4096 1260 0 0 0 17 0 0 0 19 0 0 0 0 0 0 0 0 0 0\n"


def stat(pid: int, comm: str, state: str, threads: int = 1) -> str:
    return f"{pid} ({comm}) {state} " + TAIL.format(threads=threads)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (stat(1, "systemd", "S").encode(), ("S", 1)),
        (stat(2, "a) (b", "R", 12).encode(), ("R", 12)),  # the command name may hold parentheses
        (stat(3, "", "Z", 0).encode(), ("Z", 0)),
        (stat(4, "x y", "I", 3).encode().replace(b" 3 0 29", b" 0x3 0 29"), ("I", 3)),
    ],
)
def test_parse_pid_stat(data, expected):
    assert parse_pid_stat(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"1 systemd S 0 1",
        b"1 (systemd) S 0 1 1",  # truncated
        stat(1, "x", "S").encode().replace(b" 1 0 29", b" one 0 29"),
        b"\xff(\x00)\xfe",
    ],
)
def test_parse_pid_stat_rejects(data):
    with pytest.raises(ParseError):
        parse_pid_stat(data)


@pytest.mark.parametrize(("pid", "state", "threads"), [
    # procfs's TestProcStat, TestProcStatLimits and TestProcStatComm (a command name "(a b ) ( c d) "), on the
    # fields the processes collector reads: the state and num_threads.
    ("26231", "R", 1), ("26232", "S", 1), ("584", "R", 1),
])
def test_procfs_pid_stat(procfs_fixtures, pid, state, threads):
    assert parse_pid_stat((procfs_fixtures / "proc" / pid / "stat").read_bytes()) == (state, threads)
