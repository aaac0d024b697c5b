"""The parsers of /proc/sys values, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.sys import (
    parse_file_nr,
    parse_hung_task_detect_count,
    parse_random_value,
    parse_sysctl_ints,
    sysctl_fields,
)
from tests.support import parser_tests


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", []),
        (b" 1\t2 \n", ["1", "2"]),
        (b"1 " * 100, ["1"] * 64),  # procfs reads 128 bytes once
        (b"\xff abc", ["\ufffd", "abc"]),
    ],
)
def test_sysctl_fields(data, expected):
    assert sysctl_fields(data) == expected


def test_parse_sysctl_ints():
    assert parse_sysctl_ints(["0x10", "010", "-3", "1_0"], "x") == [16, 8, -3, 10]
    for bad in (["1.5"], ["abc"], ["9223372036854775808"], ["08"]):
        with pytest.raises(ParseError):
            parse_sysctl_ints(bad, "x")


test_parse_random_value, test_parse_random_value_rejects = parser_tests(
    parse_random_value,
    [("1337\n", 1337), (" 4096 \n", 4096), ("0", 0)],
    ["", "\n", "-1", "12abc", "1 2", "\x00\xff"])

test_parse_file_nr, test_parse_file_nr_rejects = parser_tests(
    parse_file_nr,
    [("1024\t0\t1631329\n", (1024.0, 1631329.0)), ("5\t0\t9223372036854775807", (5.0, 9.223372036854776e18)),
     ("1\t2\t3\t4\n", (1.0, 3.0))],
    ["", "\n", "1024 0 1631329\n", "1\t2\n", "a\t0\tb\n", "\x00\xff\t\x01\t"])

test_parse_hung_task_detect_count, test_parse_hung_task_detect_count_rejects = parser_tests(
    parse_hung_task_detect_count,
    [("42\n", 42), ("0", 0), (" 7 \n", 7), ("18446744073709551615\n", 2**64 - 1)],
    ["", "\n", "-1\n", "4 2\n", "x\n", "18446744073709551616\n", "\x00"])


@pytest.mark.parametrize(("name", "value"), [
    # procfs's TestKernelRandom (read_wakeup_threshold is absent from its tree).
    ("entropy_avail", 3943), ("poolsize", 4096), ("urandom_min_reseed_secs", 60),
    ("write_wakeup_threshold", 3072),
])
def test_procfs_kernel_random(procfs_fixtures, name, value):
    assert parse_random_value((procfs_fixtures / "proc/sys/kernel/random" / name).read_text()) == value
    assert not (procfs_fixtures / "proc/sys/kernel/random/read_wakeup_threshold").exists()


def test_procfs_kernel_hung(procfs_fixtures):
    # procfs's TestKernelHung.
    text = (procfs_fixtures / "proc/sys/kernel/hung_task_detect_count").read_text()
    assert parse_hung_task_detect_count(text) == 6


@pytest.mark.parametrize(("path", "ints"), [
    # procfs's TestSysctlInts.
    ("kernel/random/entropy_avail", [3943]), ("vm/lowmem_reserve_ratio", [256, 256, 32, 0, 0]),
])
def test_procfs_sysctl_ints(procfs_fixtures, path, ints):
    fields = sysctl_fields((procfs_fixtures / "proc/sys" / path).read_bytes())
    assert parse_sysctl_ints(fields, path.replace("/", ".")) == ints


def test_procfs_sysctl_strings(procfs_fixtures):
    # procfs's TestSysctlStrings and TestSysctlIntsError.
    fields = sysctl_fields((procfs_fixtures / "proc/sys/kernel/seccomp/actions_avail").read_bytes())
    assert fields == ["kill_process", "kill_thread", "trap", "errno", "trace", "log", "allow"]
    message = r"field 0 in sysctl kernel\.seccomp\.actions_avail is not a valid int"
    with pytest.raises(ParseError, match=message):
        parse_sysctl_ints(fields, "kernel.seccomp.actions_avail")
