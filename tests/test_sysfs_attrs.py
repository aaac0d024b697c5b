import pytest

from pyexporter.sysfs.attrs import parse_float, parse_uint, read_trimmed, read_uint
from tests.support import write_tree


@pytest.mark.parametrize(("text", "base", "value"), [
    ("0", 10, 0), ("42", 10, 42), ("18446744073709551615", 10, 2**64 - 1), ("18446744073709551616", 10, None),
    ("", 10, None), ("-1", 10, None), ("+1", 10, None), (" 1", 10, None), ("1_000", 10, None),
    ("0x10", 10, None),
    ("0x1F", 0, 31), ("0XfF", 0, 255), ("0b101", 0, 5), ("0o17", 0, 15), ("017", 0, 15), ("08", 0, None),
    ("0", 0, 0), ("12", 0, 12), ("0xffffffffffffffff", 0, 2**64 - 1), ("0x", 0, None), ("N/A", 0, None),
])
def test_parse_uint(text, base, value):
    assert parse_uint(text, base) == value


@pytest.mark.parametrize(("text", "value"), [
    ("1", 1.0), ("-2.5", -2.5), (".5", 0.5), ("5.", 5.0), ("1e3", 1000.0), ("+Inf", float("inf")),
    ("", None), ("1_0", None), (" 1", None), ("1e400", None), ("0x10", None), ("1.2.3", None),
])
def test_parse_float(text, value):
    assert parse_float(text) == value


def test_parse_float_nan():
    value = parse_float("NaN")
    assert value is not None and value != value


def test_reads(tmp_path):
    write_tree(tmp_path, {"a": " 7 \n", "b": "x\n", "dir/": None})
    assert read_trimmed(str(tmp_path / "a")) == "7"
    assert read_uint(str(tmp_path / "a")) == 7
    assert read_uint(str(tmp_path / "b")) is None
    assert read_uint(str(tmp_path / "dir")) is None
    assert read_uint(str(tmp_path / "missing")) is None
