"""strconv's ParseUint, ParseInt, ParseFloat and FormatFloat (pyexporter.golang.strconv), as tables."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import format_go_float, parse_float, parse_int, parse_uint, wrap_uint64


@pytest.mark.parametrize(
    ("text", "base", "bits", "expected"),
    [
        ("0", 10, 64, 0),
        ("18446744073709551615", 10, 64, 2**64 - 1),
        ("0CEA", 16, 16, 0x0CEA),
        ("ffff", 16, 16, 0xFFFF),
        ("007", 10, 64, 7),
        ("0" * 5000 + "1", 10, 64, 1),
        # base 0: Go's prefixes, a leading 0 for octal, single underscores between digits
        ("10", 0, 64, 10), ("010", 0, 64, 8), ("0x1f", 0, 64, 31), ("0X1F", 0, 64, 31), ("0b101", 0, 64, 5),
        ("0o17", 0, 64, 15), ("0", 0, 64, 0), ("1_000", 0, 64, 1000), ("0_7", 0, 64, 7), ("0x_1f", 0, 64, 31),
        ("0xffffffffffffffff", 0, 64, 2**64 - 1), ("0xff", 0, 8, 255),
    ],
)
def test_parse_uint(text, base, bits, expected):
    assert parse_uint(text, base, bits) == expected


@pytest.mark.parametrize(
    ("text", "base", "bits"),
    [
        ("", 10, 64), ("-1", 10, 64), ("+1", 10, 64), (" 1", 10, 64), ("1_000", 10, 64),
        ("18446744073709551616", 10, 64), ("10000", 16, 16), ("0x10", 16, 64), ("\u0661", 10, 64),
        ("1.5", 10, 64), ("g", 16, 64), ("0x10", 10, 64), ("9" * 5000, 10, 64),
        ("", 0, 64), ("08", 0, 64), ("0x", 0, 64), ("1__0", 0, 64), ("_1", 0, 64), ("1_", 0, 64),
        ("-1", 0, 64), ("0x_", 0, 64), ("N/A", 0, 64), ("0x100", 0, 8), ("0x1" + "0" * 16, 0, 64),
    ],
)
def test_parse_uint_rejects(text, base, bits):
    with pytest.raises(ParseError):
        parse_uint(text, base, bits)


@pytest.mark.parametrize(
    ("text", "base", "bits", "expected"),
    [
        ("-5", 10, 64, -5), ("+5", 10, 64, 5), ("9223372036854775807", 10, 64, 2**63 - 1),
        ("-9223372036854775808", 10, 64, -(2**63)), ("-7fffffff", 16, 32, -(2**31 - 1)),
        ("0CEA", 16, 32, 0xCEA), ("-2147483648", 10, 32, -(2**31)),
        # base 0
        ("0", 0, 64, 0), ("12", 0, 64, 12), ("+5", 0, 64, 5), ("-5", 0, 64, -5), ("0x1F", 0, 64, 31),
        ("-0x10", 0, 64, -16), ("010", 0, 64, 8), ("0o17", 0, 64, 15), ("0b101", 0, 64, 5),
        ("0b11", 0, 64, 3), ("1_000", 0, 64, 1000), ("0_7", 0, 64, 7), ("0x_1f", 0, 64, 31),
        ("0X1f", 0, 64, 31), ("0x1303", 0, 64, 4867), ("9223372036854775807", 0, 64, 2**63 - 1),
        ("-9223372036854775808", 0, 64, -(2**63)), ("0x7fffffff", 0, 32, 2**31 - 1),
    ],
)
def test_parse_int(text, base, bits, expected):
    assert parse_int(text, base, bits) == expected


@pytest.mark.parametrize(
    ("text", "base", "bits"),
    [
        ("", 10, 64), ("-", 10, 64), ("9223372036854775808", 10, 64), ("1e3", 10, 64), (" 1", 10, 64),
        ("2147483648", 10, 32), ("-2147483649", 10, 32), ("0x10", 16, 32), ("--1", 10, 64),
        ("", 0, 64), ("-", 0, 64), ("+-1", 0, 64), ("--1", 0, 64), (" 1", 0, 64), ("1 ", 0, 64),
        ("08", 0, 64), ("09", 0, 64), ("0x", 0, 64), ("1__0", 0, 64), ("_1", 0, 64), ("1_", 0, 64),
        ("1.5", 0, 64), ("\u0663", 0, 64), ("\u0661\u0662", 0, 64), ("9223372036854775808", 0, 64),
        ("-9223372036854775809", 0, 64), ("99999999999999999999999999", 0, 64), ("0xg", 0, 64),
        ("0x1g", 0, 64), ("\udcff", 0, 64), ("garbage", 0, 64), ("abc", 0, 64), ("0x80000000", 0, 32),
    ],
)
def test_parse_int_rejects(text, base, bits):
    with pytest.raises(ParseError):
        parse_int(text, base, bits)


@given(st.text(max_size=30), st.sampled_from([0, 2, 8, 10, 16]), st.sampled_from([8, 16, 32, 64]))
def test_integer_parsers_raise_only_parse_error(text, base, bits):
    for parse in (parse_uint, parse_int):
        try:
            parse(text, base, bits)
        except ParseError:
            pass


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", 1.0), ("-2.5", -2.5), (".5", 0.5), ("5.", 5.0), ("1e3", 1000.0), ("1E-2", 0.01),
     ("0x1p4", 16.0), ("0x1p-2", 0.25), ("Inf", math.inf), ("-infinity", -math.inf), ("+INF", math.inf),
     ("1e-400", 0.0), ("007", 7.0)],
)
def test_parse_float(text, expected):
    assert parse_float(text) == expected


def test_parse_float_nan():
    assert math.isnan(parse_float("NaN"))


@pytest.mark.parametrize(
    "text", ["", "1_000", "abc", "1e", "+nan", "0x1", "1e400", "0x1p99999", " 1", "1.2.3", "١", "\x00"],
)
def test_parse_float_rejects(text):
    with pytest.raises(ParseError):
        parse_float(text)


def test_wrap_uint64():
    assert wrap_uint64(2**64 + 5) == 5
    assert wrap_uint64(2**64 - 1) == 2**64 - 1


@pytest.mark.parametrize(("value", "text"), [
    (0.0, "0"), (1.0, "1"), (-1.0, "-1"), (123456.0, "123456"), (1e6, "1e+06"),
    (1234567.0, "1.234567e+06"), (16042172416.0, "1.6042172416e+10"), (1.305e-06, "1.305e-06"),
    (47836.09, "47836.09"), (0.0001, "0.0001"), (0.00001, "1e-05"),
    (1.3333333333333333, "1.3333333333333333"), (1e21, "1e+21"), (-2.5e-7, "-2.5e-07"),
    (100000.5, "100000.5"), (18446744073709551615.0, "1.8446744073709552e+19"),
    (math.inf, "+Inf"), (-math.inf, "-Inf"), (math.nan, "NaN"), (0.1, "0.1"), (123.456, "123.456"),
])
def test_format_go_float(value, text):
    assert format_go_float(value) == text
