"""strings.Fields, strings.TrimSpace and bufio.Scanner's lines (pyexporter.golang.strings), as tables."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.golang.strings import go_fields, go_lines, go_trim_space


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("\n", [""]),
        ("a\nb", ["a", "b"]),
        ("a\nb\n", ["a", "b"]),
        ("a\r\nb\r\n", ["a", "b"]),
        ("a\n\nb\n", ["a", "", "b"]),
        ("a\nb\r\n\nc", ["a", "b", "", "c"]),
        ("a\x0cb\x1cc\n", ["a\x0cb\x1cc"]),  # unlike str.splitlines
    ],
)
def test_go_lines(text, expected):
    assert go_lines(text) == expected


def test_go_lines_line_limit():
    # The default limit is bufio.Scanner's; callers that enlarge the buffer pass their own.
    with pytest.raises(ParseError):
        go_lines("x" * (64 * 1024) + "\n")
    assert go_lines("x" * 100_000, max_line=1 << 20) == ["x" * 100_000]
    with pytest.raises(ParseError):
        go_lines("x" * 100, max_line=50)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("", []),
        ("  a  b\tc\n", ["a", "b", "c"]),
        ("a\x1cb", ["a\x1cb"]),  # Go's IsSpace does not include the information separators
        ("a\xa0b\u3000c", ["a", "b", "c"]),
    ],
)
def test_go_fields(line, expected):
    assert go_fields(line) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("\t x \xa0\n", "x"), ("\u2000x\u3000", "x"), ("\x1cx\x1c", "\x1cx\x1c"), ("", ""), (" \n", "")],
)
def test_go_trim_space(text, expected):
    # Go does not count the information separators as space.
    assert go_trim_space(text) == expected
