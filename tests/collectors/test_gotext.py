import math

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.gotext import go_lines, go_trim_space, parse_float, wrap_uint64


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", 1.0), ("-2.5", -2.5), (".5", 0.5), ("5.", 5.0), ("1e3", 1000.0), ("1E-2", 0.01),
     ("0x1p4", 16.0), ("Inf", math.inf), ("-infinity", -math.inf), ("+INF", math.inf), ("1e-400", 0.0),
     ("007", 7.0)],
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


def test_go_lines():
    assert go_lines("") == []
    assert go_lines("a\nb\r\n\nc") == ["a", "b", "", "c"]
    assert go_lines("a\n") == ["a"]
    # The default limit is bufio.Scanner's; callers that enlarge the buffer pass their own.
    assert go_lines("x" * 100_000, max_line=1 << 20) == ["x" * 100_000]
    with pytest.raises(ParseError):
        go_lines("x" * 100_000)
    with pytest.raises(ParseError):
        go_lines("x" * 100, max_line=50)


def test_go_trim_space():
    assert go_trim_space("\t x \xa0\n") == "x"
    # Go does not count the information separators as space.
    assert go_trim_space("\x1cx\x1c") == "\x1cx\x1c"


def test_wrap_uint64():
    assert wrap_uint64(2**64 + 5) == 5
    assert wrap_uint64(2**64 - 1) == 2**64 - 1
