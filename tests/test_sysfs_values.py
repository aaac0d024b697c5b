"""sysfs value handling of pyexporter.sysfs.values, as tables of byte and text cases."""

import math

import pytest

from pyexporter.sysfs import values as v


@pytest.mark.parametrize(
    ("text", "base", "expected"),
    [
        (None, 0, None), ("x", 0, None), ("0x10", 0, 16), ("0x10", 10, None), ("010", 10, 10),
        ("-5", 10, -5), ("", 10, None), ("1 ", 10, None),
    ],
)
def test_int_or_none(text, base, expected):
    assert v.int_or_none(text, base) == expected


@pytest.mark.parametrize(
    ("text", "base", "expected"),
    [
        (None, 10, None), ("18446744073709551615", 10, 2**64 - 1), ("18446744073709551616", 10, None),
        ("-1", 10, None), ("+1", 10, None), ("0x10", 0, 16), ("0x10", 10, None), ("1e3", 10, None),
    ],
)
def test_uint_or_none(text, base, expected):
    assert v.uint_or_none(text, base) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [(None, None), ("55000", 55000.0), ("-3e2", -300.0), ("0x1p-2", 0.25), ("inf", math.inf), ("1e400", None),
     ("", None), (" 1", None), ("abc", None), ("+nan", None)],
)
def test_float_or_none(text, expected):
    assert v.float_or_none(text) == expected


def test_float_or_none_nan():
    assert math.isnan(v.float_or_none("NaN"))


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
