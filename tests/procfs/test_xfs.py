"""The XFS stats parser, as tables of cases."""

import json
from pathlib import Path

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


DATA = Path(__file__).parent / "data"
#: procfs's TestParseStats, transcribed to data/xfs_cases.json.
PROCFS = json.loads((DATA / "xfs_cases.json").read_text())


@pytest.mark.parametrize("case", PROCFS["cases"], ids=lambda case: case["name"])
def test_procfs_parse_stats(case):
    if case["invalid"]:
        with pytest.raises(ParseError):
            parse_xfs_stats(case["text"])
        return
    stats = parse_xfs_stats(case["text"])
    if case["section"] is not None:
        # procfs fills a struct from the section's leading values (zoned and metafile may carry more).
        assert list(stats[case["section"]][:len(case["values"])]) == case["values"]


def test_procfs_parse_stats_of_its_tree(procfs_fixtures):
    # procfs's "fixtures OK" case and TestReadProcStat: every section of /proc/fs/xfs/stat as procfs
    # fills it; the sections the file lacks stay zero there and are absent here.
    stats = parse_xfs_stats((procfs_fixtures / "proc/fs/xfs/stat").read_text())
    for section, values in PROCFS["fixture"].items():
        if section in stats:
            assert list(stats[section]) == values, section
        else:
            assert not any(values), section
    assert stats["extent_alloc"][0] == 92447


@pytest.mark.parametrize(("device", "allocated"), [("sda1", 1), ("sdb1", 2)])
def test_procfs_sys_stats(procfs_fixtures, device, allocated):
    # procfs's TestReadSysStats: the per-filesystem files node_exporter's xfs collector reads.
    stats = parse_xfs_stats((procfs_fixtures / "sys/fs/xfs" / device / "stats/stats").read_text())
    assert stats["extent_alloc"][0] == allocated


def test_procfs_linux_614_and_70():
    # procfs's TestParseStatsLinux614 and TestParseStatsLinux70: the btrees of 6.14, zoned, metafile,
    # defer_relog (64-bit) and the two-word "gc xpc" of 7.0.
    linux614 = parse_xfs_stats((DATA / "xfs_linux614").read_text())
    assert linux614["rtrefcntbt"][0] == 0
    assert linux614["defer_relog"] == (1,)
    linux70 = parse_xfs_stats((DATA / "xfs_linux70").read_text())
    assert linux70["zoned"] == (0, 0, 0)
    assert linux70["metafile"] == (0,)
    assert linux70["defer_relog"] == (1,)
    assert linux70["xpc"][0] == 5113102336
    assert linux70["gc xpc"] == (0,)
