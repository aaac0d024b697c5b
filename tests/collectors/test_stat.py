import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyexporter.errors import ParseError
from pyexporter.procfs.stat import CPUStat, SoftIRQStat, parse_stat
from tests.support import collect_text, make_collector, samples, write_tree

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
    stat = parse_stat(STAT)
    assert stat.boot_time == 1418183276
    assert stat.irq_total == 8885917
    assert stat.irq == (17, 0, 0, 0, 9)
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


def test_stat_collector(tmp_path):
    write_tree(tmp_path, {"proc/stat": STAT})
    got = samples(make_collector("stat", tmp_path).collect())
    assert got == {
        "node_intr_total": 8885917,
        "node_context_switches_total": 38014093,
        "node_forks_total": 26442,
        "node_boot_time_seconds": 1418183276,
        "node_procs_running": 2,
        "node_procs_blocked": 1,
    }


def test_stat_collector_help_and_types(tmp_path):
    write_tree(tmp_path, {"proc/stat": STAT})
    text = collect_text(make_collector("stat", tmp_path))
    assert ("# HELP node_intr_total Total number of interrupts serviced.\n"
            "# TYPE node_intr_total counter\n") in text
    assert ("# HELP node_boot_time_seconds Node boot time, in unixtime.\n"
            "# TYPE node_boot_time_seconds gauge\n") in text
    assert ("# HELP node_procs_blocked Number of processes blocked waiting for I/O to complete.\n"
            "# TYPE node_procs_blocked gauge\n") in text


def test_stat_softirq_flag(tmp_path):
    write_tree(tmp_path, {"proc/stat": STAT})
    got = samples(make_collector("stat", tmp_path, "--collector.stat.softirq").collect())
    assert got['node_softirqs_total{vector="hi"}'] == 250191
    assert got['node_softirqs_total{vector="rcu"}'] == 508444
    assert got['node_softirqs_total{vector="block_iopoll"}'] == 0
    assert len([k for k in got if k.startswith("node_softirqs_total")]) == 10


def test_stat_softirq_off_by_default(tmp_path):
    write_tree(tmp_path, {"proc/stat": STAT})
    assert not any(k.startswith("node_softirqs") for k in samples(make_collector("stat", tmp_path).collect()))


def test_stat_missing_lines_read_zero(tmp_path):
    write_tree(tmp_path, {"proc/stat": "btime 7\n"})
    got = samples(make_collector("stat", tmp_path).collect())
    assert got["node_boot_time_seconds"] == 7
    assert got["node_intr_total"] == 0


def test_stat_empty_file(tmp_path):
    write_tree(tmp_path, {"proc/stat": ""})
    assert samples(make_collector("stat", tmp_path).collect())["node_forks_total"] == 0


def test_stat_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(make_collector("stat", tmp_path).collect())


def test_stat_malformed_line_fails(tmp_path):
    write_tree(tmp_path, {"proc/stat": STAT + "btime soon\n"})
    with pytest.raises(ParseError):
        list(make_collector("stat", tmp_path).collect())


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_parse_stat_only_raises_parse_error(data):
    try:
        parse_stat(data.decode("utf-8", "replace"))
    except ParseError:
        pass
