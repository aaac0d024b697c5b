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


# procfs's TestMeminfo: (field, value, bytes) of its tree's /proc/meminfo; fields without a unit
# have no byte value in procfs.
PROCFS_MEMINFO = [
    ("MemTotal", 15666184, 16042172416), ("MemFree", 440324, 450891776), ("Buffers", 1020128, 1044611072),
    ("Cached", 12007640, 12295823360), ("SwapCached", 0, 0), ("Active", 6761276, 6923546624),
    ("Inactive", 6532708, 6689492992), ("Active(anon)", 267256, 273670144), ("Inactive(anon)", 268, 274432),
    ("Active(file)", 6494020, 6649876480), ("Inactive(file)", 6532440, 6689218560), ("Unevictable", 0, 0),
    ("Mlocked", 0, 0), ("SwapTotal", 0, 0), ("SwapFree", 0, 0), ("Zswap", 22414, 22951936),
    ("Zswapped", 10502, 10754048), ("Dirty", 768, 786432), ("Writeback", 0, 0),
    ("AnonPages", 266216, 272605184), ("Mapped", 44204, 45264896), ("Shmem", 1308, 1339392),
    ("Slab", 1807264, 1850638336), ("SReclaimable", 1738124, 1779838976), ("SUnreclaim", 69140, 70799360),
    ("KernelStack", 1616, 1654784), ("PageTables", 5288, 5414912), ("NFS_Unstable", 0, 0), ("Bounce", 0, 0),
    ("WritebackTmp", 0, 0), ("CommitLimit", 7833092, 8021086208), ("Committed_AS", 530844, 543584256),
    ("VmallocTotal", 34359738367, 35184372087808), ("VmallocUsed", 36596, 37474304),
    ("VmallocChunk", 34359637840, 35184269148160), ("Percpu", 26176, 26804224), ("HardwareCorrupted", 0, 0),
    ("AnonHugePages", 12288, 12582912), ("HugePages_Total", 0, None), ("HugePages_Free", 0, None),
    ("HugePages_Rsvd", 0, None), ("HugePages_Surp", 0, None), ("Hugepagesize", 2048, 2097152),
    ("DirectMap4k", 91136, 93323264), ("DirectMap2M", 16039936, 16424894464),
]


def test_procfs_meminfo(procfs_fixtures):
    got = parse_meminfo((procfs_fixtures / "proc" / "meminfo").read_text())
    assert list(got) == [key for key, _, _ in PROCFS_MEMINFO]
    for key, value, in_bytes in PROCFS_MEMINFO:
        assert got[key].value == value, key
        if in_bytes is not None:
            assert got[key].bytes == in_bytes, key
