import math

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.gotext import (
    go_fields,
    go_lines,
    go_trim_space,
    parse_float,
    parse_int,
    parse_uint,
    parse_uint_base0,
    wrap_uint64,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("42", 42), ("18446744073709551615", 2**64 - 1), ("007", 7)],
)
def test_parse_uint(text, expected):
    assert parse_uint(text) == expected


@pytest.mark.parametrize(
    "text", ["", "-1", "+1", " 1", "1 ", "1_000", "0x10", "18446744073709551616", "١٢", "1.0", "abc"],
)
def test_parse_uint_rejects(text):
    with pytest.raises(ParseError):
        parse_uint(text)


def test_parse_uint_bits():
    assert parse_uint("4294967295", bits=32) == 2**32 - 1
    with pytest.raises(ParseError):
        parse_uint("4294967296", bits=32)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10", 10), ("0x10", 16), ("0X1f", 31), ("010", 8), ("0o17", 15), ("0b101", 5), ("1_000", 1000),
     ("0x_ff", 255), ("0", 0)],
)
def test_parse_uint_base0(text, expected):
    assert parse_uint_base0(text) == expected


@pytest.mark.parametrize("text", ["", "08", "0x", "1__0", "_1", "1_", "-1", "0xg", "99999999999999999999"])
def test_parse_uint_base0_rejects(text):
    with pytest.raises(ParseError):
        parse_uint_base0(text)


@pytest.mark.parametrize(("text", "expected"), [("-1", -1), ("+7", 7), ("0", 0), ("12", 12)])
def test_parse_int(text, expected):
    assert parse_int(text) == expected


@pytest.mark.parametrize("text", ["", "-", "1-2", "9223372036854775808", "x1"])
def test_parse_int_rejects(text):
    with pytest.raises(ParseError):
        parse_int(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", 1.0), ("-2.5", -2.5), (".5", 0.5), ("5.", 5.0), ("1e3", 1000.0), ("1E-2", 0.01),
     ("0x1p4", 16.0), ("Inf", math.inf), ("-infinity", -math.inf), ("+INF", math.inf), ("1e-400", 0.0)],
)
def test_parse_float(text, expected):
    assert parse_float(text) == expected


def test_parse_float_nan():
    assert math.isnan(parse_float("NaN"))


@pytest.mark.parametrize(
    "text", ["", "1_000", "abc", "1e", "+nan", "0x1", "1e400", "0x1p99999", " 1", "1.2.3"],
)
def test_parse_float_rejects(text):
    with pytest.raises(ParseError):
        parse_float(text)


def test_go_fields_splits_like_strings_fields():
    assert go_fields(" a\tb  c\n") == ["a", "b", "c"]
    # Python's str.split() would also split on the information separators; Go does not.
    assert go_fields("a\x1cb c") == ["a\x1cb", "c"]
    assert go_fields("   ") == []


def test_go_lines():
    assert go_lines("") == []
    assert go_lines("a\nb\r\n\nc") == ["a", "b", "", "c"]
    assert go_lines("a\n") == ["a"]
    with pytest.raises(ParseError):
        go_lines("x" * 100, max_line=50)


def test_go_trim_space_and_wrap():
    assert go_trim_space("\t x \xa0\n") == "x"
    assert wrap_uint64(2**64 + 5) == 5
