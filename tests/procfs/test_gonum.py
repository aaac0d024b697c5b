import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyexporter.errors import ParseError
from pyexporter.procfs.gonum import parse_int_base0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0), ("12", 12), ("+5", 5), ("-5", -5), ("0x1F", 31), ("-0x10", -16), ("010", 8), ("0o17", 15),
        ("0b101", 5), ("1_000", 1000), ("0_7", 7), ("9223372036854775807", (1 << 63) - 1),
        ("-9223372036854775808", -(1 << 63)),
    ],
)
def test_parse_int_base0(text, expected):
    assert parse_int_base0(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "-", "+-1", "--1", " 1", "1 ", "08", "0x", "1__0", "_1", "1_", "1.5", "٣", "9223372036854775808",
     "-9223372036854775809", "0xg"],
)
def test_parse_int_base0_rejects(text):
    with pytest.raises(ParseError):
        parse_int_base0(text)


@given(st.text(max_size=30))
def test_parse_int_base0_raises_only_parse_error(text):
    try:
        parse_int_base0(text)
    except ParseError:
        pass
