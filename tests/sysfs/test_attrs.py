"""sysfs attribute values (pyexporter.sysfs.attrs), as tables of byte and text cases."""

import math

import pytest

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint
from pyexporter.sysfs.attrs import (
    decode,
    float_or_none,
    int_or_none,
    read_optional_uint,
    read_parsed,
    read_uint,
    read_uint_file,
    read_value,
    sys_value,
    uint_or_none,
    valid_utf8,
)
from tests.support import write_tree


@pytest.mark.parametrize(
    ("text", "base", "expected"),
    [
        (None, 0, None), ("x", 0, None), ("0x10", 0, 16), ("0x10", 10, None), ("010", 10, 10),
        ("-5", 10, -5), ("", 10, None), ("1 ", 10, None), ("-0x10", 0, -16),
        ("9223372036854775808", 10, None),
    ],
)
def test_int_or_none(text, base, expected):
    assert int_or_none(text, base) == expected


@pytest.mark.parametrize(
    ("text", "base", "expected"),
    [
        (None, 10, None), ("0", 10, 0), ("42", 10, 42), ("18446744073709551615", 10, 2**64 - 1),
        ("18446744073709551616", 10, None), ("", 10, None), ("-1", 10, None), ("+1", 10, None),
        (" 1", 10, None), ("1_000", 10, None), ("0x10", 10, None), ("1e3", 10, None), ("9" * 5000, 10, None),
        ("0x10", 0, 16), ("0x1F", 0, 31), ("0XfF", 0, 255), ("0b101", 0, 5), ("0o17", 0, 15), ("017", 0, 15),
        ("08", 0, None), ("0", 0, 0), ("12", 0, 12), ("0xffffffffffffffff", 0, 2**64 - 1), ("0x", 0, None),
        ("N/A", 0, None),
    ],
)
def test_uint_or_none(text, base, expected):
    assert uint_or_none(text, base) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [(None, None), ("55000", 55000.0), ("1", 1.0), ("-2.5", -2.5), (".5", 0.5), ("5.", 5.0), ("-3e2", -300.0),
     ("0x1p-2", 0.25), ("inf", math.inf), ("+Inf", math.inf), ("1e400", None), ("", None), (" 1", None),
     ("1_0", None), ("abc", None), ("+nan", None), ("0x10", None), ("1.2.3", None)],
)
def test_float_or_none(text, expected):
    assert float_or_none(text) == expected


def test_float_or_none_nan():
    assert math.isnan(float_or_none("NaN"))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", ""), (b"\n", ""), (b" up \n", "up"), (b"\xc2\xa0x\xc2\xa0", "x"),
        (b"\xef\xbf\xbd\x1c[\xef\xbf\xbd\n", "\ufffd\x1c[\ufffd"),  # \x1c is no space for Go
        (b"a" * 200, "a" * 128),
    ],
)
def test_sys_value(data, expected):
    assert sys_value(data) == expected


def test_sys_value_whole():
    assert sys_value(b"a" * 200 + b"\n", None) == "a" * 200


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"plain", "plain"), (b"LNV\xff\xfe-1", "LNV\ufffd-1"), (b"\xe2\x82x", "\ufffdx"),
        (b"a\xffb\xfec", "a\ufffdb\ufffdc"), ("\ufffd".encode(), "\ufffd"), (b"\xed\xa0\x80", "\ufffd"),
    ],
)
def test_valid_utf8_replaces_each_invalid_run_once(data, expected):
    assert valid_utf8(decode(data)) == expected


def test_reads(tmp_path):
    write_tree(tmp_path, {"a": " 7 \n", "b": "x\n", "long": "y" * 300 + "\n", "dir/": None})
    assert read_value(str(tmp_path / "a")) == "7"
    assert read_value(str(tmp_path / "long")) == "y" * 128
    assert read_value(str(tmp_path / "long"), None) == "y" * 300
    assert read_value(str(tmp_path / "dir")) is None
    assert read_value(str(tmp_path / "missing")) is None
    assert read_uint(str(tmp_path / "a")) == 7
    assert read_uint(str(tmp_path / "b")) is None
    assert read_uint(str(tmp_path / "dir")) is None
    assert read_uint(str(tmp_path / "missing")) is None


def test_read_uint_file(tmp_path):
    write_tree(tmp_path, {"a": "\t7 \n", "b": "x\n"})
    assert read_uint_file(str(tmp_path / "a")) == 7
    with pytest.raises(ParseError):
        read_uint_file(str(tmp_path / "b"))
    with pytest.raises(FileNotFoundError):
        read_uint_file(str(tmp_path / "missing"))


def test_read_optional_uint(tmp_path):
    # Absent or refused: skipped (None); there but not a number: ParseError naming the file.
    write_tree(tmp_path, {"a": "\t7 \n", "b": "<unknown>\n", "empty": "", "dir/": None})
    assert read_optional_uint(str(tmp_path / "a")) == 7
    assert read_optional_uint(str(tmp_path / "missing")) is None
    assert read_optional_uint(str(tmp_path / "dir")) is None
    for name in ("b", "empty"):
        with pytest.raises(ParseError, match=f"{name}: "):
            read_optional_uint(str(tmp_path / name))


def test_read_parsed(tmp_path):
    write_tree(tmp_path, {"good": "5\n", "bad": "x\n"})
    assert read_parsed(str(tmp_path / "good"), int) == 5
    assert read_parsed(str(tmp_path / "good"), lambda text: text) == "5"  # without its newline
    assert read_parsed(str(tmp_path / "bad"), parse_uint) is None  # ParseError: skipped
    assert read_parsed(str(tmp_path / "missing"), parse_uint) is None
    with pytest.raises(ValueError):
        read_parsed(str(tmp_path / "bad"), int)  # only ParseError means "skip"


@pytest.mark.parametrize(("text", "signed", "unsigned"), [
    # procfs's TestValueParser (base 0, as ValueParser parses): Int, PInt64, PUInt64.
    ("10", 10, 10), ("hello", None, None), ("0xhello", None, None), ("1", 1, 1), ("0xff", 255, 255),
    ("-42", -42, None),
])
def test_procfs_value_parser(text, signed, unsigned):
    assert int_or_none(text, 0) == signed
    assert uint_or_none(text, 0) == unsigned
