"""/proc/meminfo's parser: tables of cases, and procfs's own expectations on its test tree."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyexporter.errors import ParseError
from pyexporter.procfs.meminfo import MeminfoValue, parse_meminfo

MEMINFO = """\
MemTotal:        3742148 kB
MemFree:          225472 kB
MemAvailable:    1000000 kB
Active(anon):    2020004 kB
Inactive(file):   145676 kB
Mlocked:              32 kB
KReclaimable:      44772 kB
Zswap:                 8 kB
HugePages_Total:       2
HugePages_Free:        1
Hugepagesize:       2048 kB
DirectMap1G:     1048576 kB
"""


def test_parse_meminfo():
    got = parse_meminfo(MEMINFO)
    assert got["MemTotal"] == MeminfoValue(3742148, 3742148 * 1024)
    assert got["HugePages_Total"] == MeminfoValue(2, 2)
    assert got["Active(anon)"].bytes == 2020004 * 1024


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("", {}),
        ("MemTotal: 0x10\n", {"MemTotal": MeminfoValue(16, 16)}),
        # Go's base-0 parse reads a leading zero as octal.
        ("MemTotal: 010 kB\n", {"MemTotal": MeminfoValue(8, 8192)}),
        # A key without its colon never matches a known field.
        ("MemTotal 5\n", {}),
        ("A: 1\nA: 2\n", {"A": MeminfoValue(2, 2)}),
        # uint64 arithmetic wraps, as in Go.
        ("Huge: 18446744073709551615 kB\n", {"Huge": MeminfoValue(2**64 - 1, (2**64 - 1) * 1024 % 2**64)}),
    ],
)
def test_parse_meminfo_cases(data, expected):
    assert parse_meminfo(data) == expected


@pytest.mark.parametrize(
    "data",
    ["MemTotal:\n", "MemTotal: x kB\n", "MemTotal: 1 MB\n", "MemTotal: 1 kB extra\n", "MemTotal: -1 kB\n",
     "\n", "MemTotal: 18446744073709551616\n", "\x00\xff\x01\n"],
)
def test_parse_meminfo_rejects(data):
    with pytest.raises(ParseError):
        parse_meminfo(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_parse_meminfo_only_raises_parse_error(data):
    try:
        parse_meminfo(data.decode("utf-8", "replace"))
    except ParseError:
        pass
