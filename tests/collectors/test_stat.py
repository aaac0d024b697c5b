import pytest

from pyexporter.errors import ParseError
from tests.procfs.test_stat import STAT
from tests.support import collect_text, make_collector, samples, write_tree


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


