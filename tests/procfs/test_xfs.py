"""The XFS stats parser, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.xfs import parse_xfs_stats

STATS = """extent_alloc 1 872 0 0
abt 0 0 0 0
blk_map 61 29 1 1 1 91 0
bmbt 0 0 0 0
dir 3 2 1 52
trans 4 40 0
ig 5 1 0 4 0 0 1
log 8 21 0 5821 4
push_ail 44 0 1102 15 0 2 0 2 0 2
rw 28 7
attr 0 0 0 0
icluster 2 2 2
vnodes 4 0 0 0 1 1 1 0
buf 22 25 14 0 0 8 0 8 8
abtb2 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0
xpc 3571712 3568056 0
debug 0
"""


def test_parse_xfs_stats():
    stats = parse_xfs_stats(STATS)
    assert stats["rw"] == (28, 7)
    assert stats["xpc"] == (3571712, 3568056, 0)
    assert stats["debug"] == (0,)
    assert parse_xfs_stats("vnodes 1 2 3 4 5 6 7\nlonely\n\n") == {"vnodes": (1, 2, 3, 4, 5, 6, 7)}
    assert parse_xfs_stats("xpc 18446744073709551615 0 0\n")["xpc"][0] == 2**64 - 1
    assert parse_xfs_stats("") == {}


@pytest.mark.parametrize("text", [
    "abt 1 2 3\n", "vnodes 1 2 3 4 5 6\n", "rw 1 x\n", "push_ail -1\n", "dir 1 2 3 4294967296\n",
    "xpc 1 2\n", "ig 1 2 3 4 5 6 7 8\n", "\x00\x01 \xff\n",
])
def test_parse_xfs_stats_rejects(text):
    with pytest.raises(ParseError):
        parse_xfs_stats(text)
