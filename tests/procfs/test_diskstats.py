"""/proc/diskstats' and udev's parsers: tables of cases, and procfs's own expectations on its test tree."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.diskstats import (
    IO_STATS_FIELDS,
    parse_diskstats,
    parse_udev_properties,
    scan_diskstats_line,
)

DISKSTATS = (
    "   8       0 sda 25354637 34367663 1003346126 18492372 28444756 11134226 505697032 63877960 0 9653880 "
    "82621804\n"
    "   8       1 sda1 250 0 2000 36 0 0 0 0 0 36 36\n"
    " 252       0 dm-0 59910002 0 1003337218 46229572 39231014 0 505696880 1158557800 0 11325968 1206301256\n"
    "   8      32 sdc 126552 141 1657779 14 11822 1895 172905 1007 0 10730 17070 18851 0 125173784 11130 "
    "1555 1944\n"
    "   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0\n"
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("8 0 sda 1 2 3 4 5 6 7 8 9 10 11", (8, 0, "sda", tuple(range(1, 12)))),
        ("  8\t16  sdb " + " ".join(map(str, range(15))), (8, 16, "sdb", tuple(range(15)))),
        # 20 items (Linux 5.5+); anything after the 20th item is ignored.
        ("8 0 sda " + " ".join(map(str, range(17))) + " trailing junk", (8, 0, "sda", tuple(range(17)))),
        ("8 0 sda 1 2 3 4 5 6 7 8 9 10", None),  # 13 items: skipped
        ("", None),
        ("   ", None),
        ("8 0 sda 18446744073709551615 0 0 0 0 0 0 0 0 0 0", (8, 0, "sda", (2**64 - 1,) + (0,) * 10)),
    ],
)
def test_scan_diskstats_line(line, expected):
    assert scan_diskstats_line(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "x 0 sda 1 2 3 4 5 6 7 8 9 10 11",
        "8 0 sda 1 2 three 4 5 6 7 8 9 10 11",
        "8 0 sda -1 2 3 4 5 6 7 8 9 10 11",
        "4294967296 0 sda 1 2 3 4 5 6 7 8 9 10 11",  # major is 32 bits
        "8 0 sda 18446744073709551616 2 3 4 5 6 7 8 9 10 11",
    ],
)
def test_scan_diskstats_line_rejects(line):
    with pytest.raises(ParseError):
        scan_diskstats_line(line)


def test_parse_diskstats_skips_short_lines():
    disks = parse_diskstats(DISKSTATS + "1 2\n\n")
    assert [d.name for d in disks] == ["sda", "sda1", "dm-0", "sdc", "loop0"]
    assert [d.io_stats_count for d in disks] == [14, 14, 14, 20, 14]


def test_parse_udev_properties():
    assert parse_udev_properties("E:A=1\nE:B=x=y\r\nS:link\nE:NOEQUALS\nE:A=2\n") == {"A": "2", "B": "x=y"}
    assert parse_udev_properties("") == {}


def test_procfs_diskstats(procfs_fixtures):
    # procfs's TestDiskstats: 52 devices; lines of 14 (11 counters), 18 (discards) and 20 (flushes) items.
    disks = parse_diskstats((procfs_fixtures / "proc" / "diskstats").read_text())
    assert len(disks) == 52
    assert disks[0].name == "ram0"
    assert disks[1].io_stats_count == 14
    assert dict(zip(IO_STATS_FIELDS, disks[24].stats, strict=False))["write_ios"] == 28444756
    discard = dict(zip(IO_STATS_FIELDS, disks[48].stats, strict=False))
    assert (discard["discard_ticks"], disks[48].io_stats_count) == (11130, 18)
    flush = dict(zip(IO_STATS_FIELDS, disks[49].stats, strict=False))
    assert disks[49].io_stats_count == 20
    assert (flush["flush_requests_completed"], flush["time_spent_flushing"]) == (127, 182)
