"""/proc/stat's parser: tables of cases, and procfs's own expectations on its test tree."""

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint
from pyexporter.golang.strings import go_fields
from pyexporter.procfs.stat import USER_HZ, CPUStat, SoftIRQStat, parse_intr_line, parse_stat

STAT = """\
cpu  301854 612 111922 8979004 3552 2 3944 0 44 36
cpu0 44490 19 21045 1087069 220 1 3410 0 2 1
cpu1 47869 23 16474 1110787 591 0 46 0 3 2
intr 8885917 17 0 0 0 9
ctxt 38014093
btime 1418183276
processes 26442
procs_running 2
procs_blocked 1
softirq 5057579 250191 1481983 1647 211099 186066 0 1783454 622196 12499 508444
"""


def test_parse_stat():
    stat = parse_stat(STAT, irq_counts=True)
    assert stat.boot_time == 1418183276
    assert stat.irq_total == 8885917
    assert stat.irq == (17, 0, 0, 0, 9)
    assert parse_stat(STAT) == dataclasses.replace(stat, irq=())
    assert stat.context_switches == 38014093
    assert stat.processes_created == 26442
    assert (stat.processes_running, stat.processes_blocked) == (2, 1)
    assert stat.softirq_total == 5057579
    assert stat.softirq == SoftIRQStat(250191, 1481983, 1647, 211099, 186066, 0, 1783454, 622196, 12499,
                                       508444)
    assert stat.cpu_total.user == pytest.approx(3018.54)
    assert sorted(stat.cpu) == [0, 1]
    assert stat.cpu[1] == CPUStat(478.69, 0.23, 164.74, 11107.87, 5.91, 0.0, 0.46, 0.0, 0.03, 0.02)


@pytest.mark.parametrize(
    ("data", "check"),
    [
        ("", lambda s: s.cpu == {} and s.boot_time == 0),
        ("\n\n", lambda s: s.cpu == {}),
        # Old kernels have fewer CPU columns: the rest stay zero.
        ("cpu3 100 200 300 400\n", lambda s: s.cpu[3] == CPUStat(1.0, 2.0, 3.0, 4.0)),
        # Unknown keys and one-word lines are skipped.
        ("page 1 2\nswap 3 4\nlonely\nbtime 5\n", lambda s: s.boot_time == 5),
        # More than ten CPU columns: the extra ones are ignored.
        ("cpu0 1 1 1 1 1 1 1 1 1 1 99\n", lambda s: s.cpu[0].guest_nice == 0.01),
        # A huge but valid counter.
        ("ctxt 18446744073709551615\n", lambda s: s.context_switches == 2**64 - 1),
        # procfs files a cpu line numbered -1 as the total.
        ("cpu-1 500 0 0 0\n", lambda s: s.cpu == {} and s.cpu_total.user == 5.0),
        ("intr 5\n", lambda s: s.irq_total == 5 and s.irq == ()),
    ],
)
def test_parse_stat_cases(data, check):
    assert check(parse_stat(data))


@pytest.mark.parametrize(
    "data",
    [
        "btime abc\n",
        "btime -1\n",
        "ctxt 18446744073709551616\n",
        "intr 10 1 x 3\n",
        "cpu0 1 2 x\n",
        "cpuX 1 2 3\n",
        "softirq 10 1 2 3\n",
        "softirq 1 2 3 4 5 6 7 8 9 10 -11\n",
        "procs_running 1.5\n",
        "intr " + "1 " * 600_000 + "\n",
        "\x00\xff garbage \x01\n cpu \x02 3",
    ],
)
def test_parse_stat_rejects(data):
    with pytest.raises(ParseError):
        parse_stat(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_parse_stat_only_raises_parse_error(data):
    try:
        parse_stat(data.decode("utf-8", "replace"))
    except ParseError:
        pass


@pytest.mark.parametrize(
    ("rest", "total", "counts"),
    [
        ("5", 5, ()),
        ("5 1 2", 5, (1, 2)),
        ("5\t1\v2\f3\r4  ", 5, (1, 2, 3, 4)),
        ("5 18446744073709551615", 5, (2**64 - 1,)),
        ("5 000000000000000000000000001", 5, (1,)),  # Go takes leading zeros beyond 20 digits
        ("5 1\u00a02\u30003", 5, (1, 2, 3)),  # Unicode blanks separate fields too
    ],
)
def test_parse_intr_line(rest, total, counts):
    assert parse_intr_line(rest, counts=True) == (total, counts)
    assert parse_intr_line(rest) == (total, ())
    assert parse_stat(f"intr {rest}\n", irq_counts=True).irq == counts


@pytest.mark.parametrize(
    "rest",
    ["x", "-1", "5 18446744073709551616", "5 1\x1c2", "5 \u0661", "5 +1", "5 1_0", "5 0x1", "5 1.0",
     "5 " + "9" * 25],
)
def test_parse_intr_line_rejects(rest):
    # Checked whether or not the counts are converted: procfs parses every one of them.
    with pytest.raises(ParseError):
        parse_intr_line(rest)
    with pytest.raises(ParseError):
        parse_intr_line(rest, counts=True)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([
    "0", "7", "42", "18446744073709551615", "18446744073709551616", "00000000000000000000001",
    " ", "  ", "\t", "\x1c", "\u00a0", "x", "-", "+", "\u0661"]), max_size=30))
def test_parse_intr_line_agrees_with_procfs_rules(pieces):
    # The fast check must accept and refuse exactly what ParseUint of every strings.Fields field does.
    rest = "1 " + "".join(pieces)
    try:
        expected = (1, tuple(parse_uint(field) for field in go_fields(rest)[1:]))
    except ParseError:
        expected = None
    try:
        got = parse_intr_line(rest, counts=True)
    except ParseError:
        got = None
    assert got == expected


def test_procfs_stat(procfs_fixtures):
    # procfs's TestStat, on its tree's /proc/stat (an intr line of 65,960 counters).
    stat = parse_stat((procfs_fixtures / "proc" / "stat").read_text(), irq_counts=True)
    assert stat.cpu_total.user == 301854 / USER_HZ
    assert stat.cpu[7].softirq == 31 / USER_HZ
    assert stat.irq_total == 73777505
    assert stat.irq[8] == 1
    assert stat.context_switches == 38014093
    assert stat.boot_time == 1418183276
    assert stat.processes_created == 26442
    assert stat.processes_running == 2
    assert stat.processes_blocked == 1
    assert stat.softirq_total == 5057579
    assert stat.softirq.rcu == 508444
    # Without the per-interrupt counts, the same file parses to the same values.
    assert parse_stat((procfs_fixtures / "proc" / "stat").read_text()) == dataclasses.replace(stat, irq=())
