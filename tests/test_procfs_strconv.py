import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyexporter.errors import ParseError
from pyexporter.procfs import strconv


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("a\nb\n", ["a", "b"]),
        ("a\r\nb", ["a", "b"]),
        ("\n\n", ["", ""]),
        ("only", ["only"]),
    ],
)
def test_scan_lines(text, expected):
    assert strconv.scan_lines(text) == expected


def test_scan_lines_refuses_overlong_line():
    with pytest.raises(ParseError):
        strconv.scan_lines("x" * strconv.MAX_LINE)


def test_fields_keeps_go_non_space_separators():
    assert strconv.fields("  a\tb \x1c c\u3000d ") == ["a", "b", "\x1c", "c", "d"]


@pytest.mark.parametrize(
    ("text", "base", "expected"),
    [("0", 10, 0), ("18446744073709551615", 10, 2**64 - 1), ("ff", 16, 255), ("0A", 16, 10)],
)
def test_parse_uint(text, base, expected):
    assert strconv.parse_uint(text, base) == expected


@pytest.mark.parametrize("text", ["", "-1", "+1", " 1", "1_0", "18446744073709551616", "١", "0x1"])
def test_parse_uint_rejects(text):
    with pytest.raises(ParseError):
        strconv.parse_uint(text)


def test_parse_uint_bit_size():
    assert strconv.parse_uint("ffffffff", 16, 32) == 2**32 - 1
    with pytest.raises(ParseError):
        strconv.parse_uint("100000000", 16, 32)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0x10", 16), ("010", 8), ("0b11", 3), ("0o17", 15), ("1_000", 1000), ("0", 0), ("-5", -5), ("+7", 7)],
)
def test_parse_int_base0(text, expected):
    assert strconv.parse_int_base0(text) == expected


@pytest.mark.parametrize("text", ["", "_1", "1__0", "1_", "0x", "09", "abc", "--1"])
def test_parse_int_base0_rejects(text):
    with pytest.raises(ParseError):
        strconv.parse_int_base0(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", 1.0), ("-1.5", -1.5), ("1e3", 1000.0), (".5", 0.5), ("5.", 5.0), ("0x1p-2", 0.25),
     ("+Inf", math.inf), ("-infinity", -math.inf)],
)
def test_parse_float(text, expected):
    assert strconv.parse_float(text) == expected


@pytest.mark.parametrize("text", ["", " 1", "1_0", "1e999", "abc", "1.2.3", "0x1"])
def test_parse_float_rejects(text):
    with pytest.raises(ParseError):
        strconv.parse_float(text)


def test_parse_float_nan():
    assert math.isnan(strconv.parse_float("NaN"))


@given(st.text(max_size=40))
def test_number_parsers_raise_only_parse_error(text):
    for parse in (strconv.parse_uint, strconv.parse_int, strconv.parse_int_base0, strconv.parse_uint_base0,
                  strconv.parse_float):
        try:
            parse(text)
        except ParseError:
            pass
