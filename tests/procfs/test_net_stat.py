"""/proc/net/stat/*'s parser, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.net_stat import parse_lnstat

ARP_CACHE = "entries  allocs destroys\n00000014  00000001 0000000a\n00000014  0000000d 0000000e\n"
CONNTRACK = "entries  searched\n00000021  00000000\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("", {}),
        ("entries allocs\n", {}),
        ("a b\n0000000f 10\n\n00000001\n", {"a": [15, 1], "b": [16]}),
        ("a\nffffffffffffffff\n", {"a": [(1 << 64) - 1]}),
    ],
)
def test_parse_lnstat(data, expected):
    assert parse_lnstat(data) == expected


@pytest.mark.parametrize("data", ["a\n1 2\n", "a\nxyz\n", "a\n10000000000000000\n", "a\n-1\n", "\nff\n"])
def test_parse_lnstat_rejects(data):
    with pytest.raises(ParseError):
        parse_lnstat(data)
