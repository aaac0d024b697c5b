"""tracefs's tracepoint id file, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.sysfs.tracefs import parse_tracepoint_id

U64_MAX = 2**64 - 1


@pytest.mark.parametrize(("text", "value"), [("372\n", 372), ("0", 0), ("18446744073709551615\nx", U64_MAX)])
def test_parse_tracepoint_id(text, value):
    assert parse_tracepoint_id(text) == value


@pytest.mark.parametrize("text", ["", "\n", "-1", "x", " 1", "18446744073709551616", "١٢"])
def test_parse_tracepoint_id_rejects(text):
    with pytest.raises(ParseError):
        parse_tracepoint_id(text)
