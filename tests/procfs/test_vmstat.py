"""/proc/vmstat's parser, as tables of cases."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyexporter.errors import ParseError
from pyexporter.procfs.vmstat import parse_vmstat


def test_parse_vmstat():
    assert parse_vmstat("a 1\nb 2.5\n") == [("a", 1.0), ("b", 2.5)]
    assert parse_vmstat("") == []


@pytest.mark.parametrize("data", ["a\n", "a x\n", "\n", "a 1_0\n", "\x00\xff\x01"])
def test_parse_vmstat_rejects(data):
    with pytest.raises(ParseError):
        parse_vmstat(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_parse_vmstat_only_raises_parse_error(data):
    try:
        parse_vmstat(data.decode("utf-8", "replace"))
    except ParseError:
        pass
