"""Inputs the fuzzers found that once escaped a parser as another exception than ParseError."""

from __future__ import annotations

import pytest

from pyexporter.errors import ParseError
from pyexporter.golang import duration, strconv
from pyexporter.procfs.diskstats import parse_diskstats
from pyexporter.procfs.meminfo import parse_meminfo
from pyexporter.procfs.mountinfo import parse_major_minor
from pyexporter.procfs.stat import parse_cpu_line, parse_stat
from pyexporter.procfs.sys import parse_hung_task_detect_count, parse_random_value
from pyexporter.procfs.zoneinfo import parse_zoneinfo
from pyexporter.sysfs import attrs
from tests.robustness.parsers import Parser
from tests.robustness.test_parsers_linear import MAX_RATIO, growth

#: More digits than int() converts by default (sys.get_int_max_str_digits() is 4300).
HUGE = "9" * 5000
ZEROS = "0" * 5000


@pytest.mark.parametrize(("text", "base", "expected"), [
    (HUGE, 10, ParseError),
    (ZEROS + "42", 10, 42),  # Go takes any number of leading zeros
    (ZEROS, 10, 0),
    ("f" * 5000, 16, ParseError),
    ("0" * 5000 + "ff", 16, 255),
    ("18446744073709551615", 10, 2**64 - 1),
    ("18446744073709551616", 10, ParseError),
    ("1" * 64, 2, 2**64 - 1),
    ("1" * 65, 2, ParseError),
])
def test_strconv_parse_uint_long_digit_strings(text, base, expected):
    if expected is ParseError:
        with pytest.raises(ParseError):
            strconv.parse_uint(text, base)
    else:
        assert strconv.parse_uint(text, base) == expected


@pytest.mark.parametrize(("text", "expected"), [
    (HUGE, ParseError),
    ("-" + HUGE, ParseError),
    ("+" + HUGE, ParseError),
    ("-" + ZEROS + "7", -7),
    ("-9223372036854775808", -(2**63)),
    ("9223372036854775808", ParseError),
])
def test_strconv_parse_int_long_digit_strings(text, expected):
    if expected is ParseError:
        with pytest.raises(ParseError):
            strconv.parse_int(text)
    else:
        assert strconv.parse_int(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    (HUGE, ParseError),
    ("0x" + "f" * 5000, ParseError),
    ("0" + "7" * 5000, ParseError),
    ("0x" + ZEROS + "1", 1),
])
def test_strconv_parse_uint_base0_long_digit_strings(text, expected):
    if expected is ParseError:
        with pytest.raises(ParseError):
            strconv.parse_uint(text, 0)
    else:
        assert strconv.parse_uint(text, 0) == expected


@pytest.mark.parametrize(("text", "base", "expected"), [
    (HUGE, 10, None),
    (ZEROS + "5", 10, 5),
    ("0x" + "f" * 5000, 0, None),
    ("0x" + "0" * 5000 + "f", 0, 15),
    ("0" + "7" * 5000, 0, None),
    ("0b" + "1" * 65, 0, None),
    (HUGE, 0, None),
    ("18446744073709551615", 0, 2**64 - 1),
])
def test_sysfs_parse_uint_long_digit_strings(text, base, expected):
    assert attrs.uint_or_none(text, base) == expected


@pytest.mark.parametrize("parse", [parse_random_value, parse_hung_task_detect_count])
def test_single_value_files_with_a_huge_number(parse):
    with pytest.raises(ParseError):
        parse(HUGE + "\n")


def test_meminfo_with_a_huge_number():
    with pytest.raises(ParseError):
        parse_meminfo(f"MemTotal: {HUGE} kB\n")


def test_stat_with_a_huge_cpu_number():
    with pytest.raises(ParseError):
        parse_stat(f"cpu{HUGE} 1 2 3 4\n")


def test_cpu_line_without_fields():
    with pytest.raises(ParseError):
        parse_cpu_line([])


def test_diskstats_with_a_huge_counter():
    with pytest.raises(ParseError):
        parse_diskstats(f"8 0 sda {HUGE} 2 3 4 5 6 7 8 9 10 11\n")
    assert parse_diskstats(f"8 0 sda {ZEROS}1 2 3 4 5 6 7 8 9 10 11\n")[0].stats[0] == 1


def test_zoneinfo_node_line_search_is_linear():
    # A run of digits made the node/zone regex backtrack from every position: 128 KiB took 40 s.
    parser = Parser("zoneinfo", "pyexporter.collectors.zoneinfo", parse_zoneinfo, ("text",), ((),))
    ratio, _, _ = growth(parser, lambda size: b"0" * size)
    assert ratio <= MAX_RATIO
    zones = parse_zoneinfo("Node 10, zone   Normal\n  pages free     3\nNode 0, zone DMA\n")
    assert [(z.node, z.zone) for z in zones] == [("10", "Normal"), ("0", "DMA")]


def test_major_minor_with_a_huge_number():
    with pytest.raises(ParseError):
        parse_major_minor(f"{HUGE}:3")
    with pytest.raises(ParseError):
        parse_major_minor(f"8:{HUGE}")
    assert parse_major_minor(f"{ZEROS}8:1") == ("8", "1")


def test_go_duration_stays_linear_on_a_long_number_without_unit():
    parser = Parser("duration", "pyexporter.golang.duration", duration.parse_go_duration, ("text",), ((),))
    ratio, _, _ = growth(parser, lambda size: b"0" * size)
    assert ratio <= MAX_RATIO
    assert duration.parse_go_duration("1m30.5s") == 90.5
    assert duration.parse_go_duration("1.5h") == 5400.0
    assert duration.parse_go_duration(".5ms") == 0.0005
    with pytest.raises(ParseError):
        duration.parse_go_duration("0" * 100_000)


def test_bcache_next_io_beyond_int64_is_a_parse_error():
    from pyexporter.collectors.bcache import parse_writeback_rate_debug
    with pytest.raises(ParseError):
        parse_writeback_rate_debug(f"next io: {HUGE}ms\n")
    with pytest.raises(ParseError):
        parse_writeback_rate_debug("next io: 9223372036854775808ms\n")
    assert parse_writeback_rate_debug("next io: -17ms\n").next_io_ms == -17


def test_hwmon_sensor_number_with_thousands_of_digits():
    from pyexporter.collectors.hwmon import explode_sensor_filename
    assert explode_sensor_filename(f"temp{HUGE}_input") is None
    assert explode_sensor_filename(f"temp{ZEROS}3_input") == ("temp", 3, "input")


def test_ntp_server_port_with_thousands_of_digits():
    from pyexporter.collectors.ntp import split_host_port
    with pytest.raises(ParseError):
        split_host_port(f"127.0.0.1:{HUGE}", 123)
