"""Tape statistics parser, as tables of cases."""

from pyexporter.sysfs.tape import COUNTERS, parse_counters


def test_parse_counters():
    got = parse_counters({"in_flight": "0x10", "io_ns": "-1", "read_cnt": "18446744073709551615"})
    assert got["in_flight"] == 16
    assert got["io_ns"] == 0
    assert got["read_cnt"] == 2**64 - 1
    assert set(got) == set(COUNTERS)
