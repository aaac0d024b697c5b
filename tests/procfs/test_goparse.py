import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyexporter.errors import ParseError
from pyexporter.procfs.goparse import atoi, fields, lines, parse_float, parse_int, parse_uint, trim_space


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("  a \t b\n", ["a", "b"]),
        ("a\x1cb", ["a\x1cb"]),  # Go does not split on the file separator; str.split() does
        ("a\u00a0b\u2003c", ["a", "b", "c"]),
    ],
)
def test_fields(text, expected):
    assert fields(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("\n", [""]),
        ("a\nb", ["a", "b"]),
        ("a\r\nb\r\n", ["a", "b"]),
        ("a\n\nb\n", ["a", "", "b"]),
        ("a\x0bb\x0cc", ["a\x0bb\x0cc"]),  # only \n ends a line, unlike str.splitlines()
    ],
)
def test_lines(text, expected):
    assert lines(text) == expected


def test_trim_space():
    assert trim_space("\t a b \n\u00a0") == "a b"


@pytest.mark.parametrize(
    ("text", "base", "expected"),
    [
        ("0", 10, 0),
        ("+5", 10, 5),
        ("-9223372036854775808", 10, -(1 << 63)),
        ("9223372036854775807", 10, (1 << 63) - 1),
        ("0x1F", 0, 31),
        ("010", 0, 8),
        ("0o17", 0, 15),
        ("0b101", 0, 5),
        ("1_000", 0, 1000),
        ("-0x10", 0, -16),
        ("ff", 16, 255),
    ],
)
def test_parse_int(text, base, expected):
    assert parse_int(text, base) == expected


@pytest.mark.parametrize(
    ("text", "base"),
    [
        ("", 10), ("-", 10), (" 1", 10), ("1 ", 10), ("1_000", 10), ("0x10", 10), ("1.5", 10),
        ("9223372036854775808", 10), ("-9223372036854775809", 10), ("٣", 10), ("08", 0), ("0x", 0),
        ("1__0", 0), ("_1", 0), ("0x10", 16), ("g", 16),
    ],
)
def test_parse_int_rejects(text, base):
    with pytest.raises(ParseError):
        parse_int(text, base)


def test_parse_uint_and_atoi():
    assert parse_uint("18446744073709551615") == (1 << 64) - 1
    assert parse_uint("ff", 16) == 255
    assert atoi("-12") == -12
    for bad in ("-1", "+1", "18446744073709551616", ""):
        with pytest.raises(ParseError):
            parse_uint(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1.0), ("-1.5", -1.5), (".5", 0.5), ("5.", 5.0), ("1e3", 1000.0), ("1E-2", 0.01),
        ("+Inf", math.inf), ("-infinity", -math.inf), ("0x1p-2", 0.25), ("1e-400", 0.0),
    ],
)
def test_parse_float(text, expected):
    assert parse_float(text) == expected


def test_parse_float_nan():
    assert math.isnan(parse_float("NaN"))


@pytest.mark.parametrize(
    "text", ["", ".", "e5", "1e", "0x10", "1_0", " 1", "1 ", "-nan", "1e400", "abc", "١"]
)
def test_parse_float_rejects(text):
    with pytest.raises(ParseError):
        parse_float(text)


@given(st.text())
def test_number_parsers_raise_only_parse_error(text):
    for parse in (parse_float, parse_uint, atoi, lambda t: parse_int(t, 0), lambda t: parse_uint(t, 16)):
        try:
            parse(text)
        except ParseError:
            pass
