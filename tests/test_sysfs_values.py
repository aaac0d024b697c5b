"""Go-compatible value handling of pyexporter.sysfs.values, as tables of byte and text cases."""

import math

import pytest

from pyexporter.errors import ParseError
from pyexporter.sysfs import values as v


@pytest.mark.parametrize(
    ("text", "base", "expected"),
    [
        ("0", 0, 0), ("1500", 0, 1500), ("-1", 0, -1), ("+7", 0, 7), ("0x1303", 0, 4867), ("0X1f", 0, 31),
        ("010", 0, 8), ("0o17", 0, 15), ("0b101", 0, 5), ("1_000", 0, 1000), ("0x_1f", 0, 31),
        ("9223372036854775807", 0, 2**63 - 1), ("-9223372036854775808", 0, -(2**63)),
        ("42", 10, 42), ("-42", 10, -42), ("007", 10, 7),
    ],
)
def test_parse_int(text, base, expected):
    assert v.parse_int(text, base) == expected


@pytest.mark.parametrize(
    ("text", "base"),
    [
        ("", 0), ("-", 0), ("08", 0), ("0x", 0), ("1__0", 0), ("_1", 0), ("1_", 0), ("0x1g", 0), ("1.5", 0),
        (" 1", 0), ("1 ", 0), ("9223372036854775808", 0), ("-9223372036854775809", 0),
        ("99999999999999999999999999", 0), ("0x10", 10), ("1_0", 10), ("--1", 0), ("+-1", 0),
        ("\udcff", 0), ("١٢", 10), ("garbage", 0),
    ],
)
def test_parse_int_rejects(text, base):
    with pytest.raises(ParseError):
        v.parse_int(text, base)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("18446744073709551615", 2**64 - 1), ("123", 123)],
)
def test_parse_uint(text, expected):
    assert v.parse_uint(text) == expected


@pytest.mark.parametrize("text", ["", "-1", "+1", "18446744073709551616", "1e3", "0x10"])
def test_parse_uint_rejects(text):
    with pytest.raises(ParseError):
        v.parse_uint(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("55000", 55000.0), ("-3e2", -300.0), (".5", 0.5), ("5.", 5.0), ("1_0.5", 10.5), ("0x1p-2", 0.25),
        ("0x1.8p1", 3.0), ("inf", math.inf), ("-Infinity", -math.inf), ("+INF", math.inf), ("1e-400", 0.0),
    ],
)
def test_parse_float(text, expected):
    assert v.parse_float(text) == expected


def test_parse_float_nan():
    assert math.isnan(v.parse_float("NaN"))


@pytest.mark.parametrize(
    "text", ["", ".", "e5", "1e", " 1", "1 ", "1__0", "_1", "0x1A", "+nan", "1e400", "0x1p99999", "abc",
             "1.2.3", "\x00"],
)
def test_parse_float_rejects(text):
    with pytest.raises(ParseError):
        v.parse_float(text)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", ""), (b"\n", ""), (b" up \n", "up"), (b"\xc2\xa0x\xc2\xa0", "x"),
        (b"\xef\xbf\xbd\x1c[\xef\xbf\xbd\n", "\ufffd\x1c[\ufffd"),  # \x1c is no space for Go
        (b"a" * 200, "a" * 128),
    ],
)
def test_sys_value(data, expected):
    assert v.sys_value(data) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"plain", "plain"), (b"LNV\xff\xfe-1", "LNV\ufffd-1"), (b"\xe2\x82x", "\ufffdx"),
        (b"a\xffb\xfec", "a\ufffdb\ufffdc"), ("\ufffd".encode(), "\ufffd"), (b"\xed\xa0\x80", "\ufffd"),
    ],
)
def test_valid_utf8_replaces_each_invalid_run_once(data, expected):
    assert v.valid_utf8(v.decode(data)) == expected


def test_optional_helpers():
    assert v.int_or_none(None) is None
    assert v.int_or_none("x") is None
    assert v.int_or_none("0x10", 0) == 16
    assert v.uint_or_none("-1") is None
    assert v.float_or_none("1.5") == 1.5
    assert v.float_or_none("nope") is None
