"""/proc/net/softnet_stat's parser: tables of cases, and procfs's own expectations on its test tree."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.net_softnet import SoftnetStat, parse_softnet

# Linux 4.18 layout (11 columns) and Linux 5.14 layout (13 columns: backlog and CPU index).
OLD = ("00049279 00000000 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n"
       "000dfb82 00000029 0000000a 00000000 00000000 00000000 00000000 00000000 00000002 00000003 00000004\n")


NEW = ("00000010 00000001 00000002 00000000 00000000 00000000 00000000 00000000 00000005 00000006 00000007 "
       "00000008 00000004\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        (OLD, [SoftnetStat(0x49279, 0, 1, 0, 0, 0, 0, 0, 11),
               SoftnetStat(0xDFB82, 0x29, 10, 2, 3, 4, 0, 1, 11)]),
        (NEW, [SoftnetStat(16, 1, 2, 5, 6, 7, 8, 4, 13)]),
        # 9 columns (Linux 2.6.23): no rps, flow limit or backlog.
        ("1 2 3 0 0 0 0 0 4\n", [SoftnetStat(1, 2, 3, 4, 0, 0, 0, 0, 9)]),
    ],
)
def test_parse_softnet(text, expected):
    assert parse_softnet(text) == expected


@pytest.mark.parametrize("text", ["1 2 3\n", "\n", "1 2 3 0 0 0 0 0 zz\n", "100000000 0 0 0 0 0 0 0 0\n"])
def test_parse_softnet_rejects(text):
    with pytest.raises(ParseError):
        parse_softnet(text)


def test_procfs_softnet(procfs_fixtures):
    # procfs's TestNetSoftnet: lines of 13, 11, 9 and 10 columns (older kernels print fewer).
    assert parse_softnet((procfs_fixtures / "proc" / "net" / "softnet_stat").read_text()) == [
        SoftnetStat(0x00358fe3, 0x00006283, 0, 0, 0x000855fc, 0x76, 0, 0, 13),
        SoftnetStat(0x00953d1a, 0x00000446, 0xb1, 0, 0x008eeb9a, 0x2b, 0xdc, 1, 13),
        SoftnetStat(0x00015c73, 0x00020e76, 0xf0000769, 4, 3, 2, 0, 2, 11),
        SoftnetStat(0x01663fb2, 0, 0x0109a4, 0x00020e76, 0, 0, 0, 3, 9),
        SoftnetStat(0x00008e78, 1, 0x11, 0x20, 0x10, 0, 0, 4, 10),
    ]


def test_procfs_broken_softnet(procfs_fixtures):
    # procfs's TestBadSoftnet.
    with pytest.raises(ParseError):
        parse_softnet((procfs_fixtures / "proc" / "net" / "softnet_stat.broken").read_text())
