"""/proc/slabinfo's parser, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.slabinfo import Slab, parse_slabinfo

HEADER = (
    "slabinfo - version: 2.1\n"
    "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> "
    "<batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n"
)
ROW_TCP = (
    "tw_sock_TCP          704    864    256   32    2 : tunables    0    0    0 "
    ": slabdata     27     27      0\n"
)
ROW_KMALLOC = "kmalloc-8192  132  148  8192  4  8 : tunables 0 0 0 : slabdata 37 37 0\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("", []),
        (HEADER, []),
        (ROW_TCP, [Slab("tw_sock_TCP", 704, 864, 256, 32, 2)]),
        ("a\t1 2 3 4 5 : tunables 0 0 0 : slabdata 1 2 +3\n", [Slab("a", 1, 2, 3, 4, 5)]),
    ],
)
def test_parse_slabinfo(data, expected):
    assert parse_slabinfo(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        "\n",
        " " + ROW_TCP,  # a leading blank makes 17 fields in procfs
        ROW_TCP.rstrip("\n") + " \n",
        "x 1 2 3 4 : tunables 0 0 0 : slabdata 1 2 3\n",
        "x 1 2 3 4 z : tunables 0 0 0 : slabdata 1 2 3\n",
        "x 1 2 3 4 5 : tunables 0 0 0 : slabdata 1 2 q\n",
        "\x00\xff garbage",
    ],
)
def test_parse_slabinfo_rejects(data):
    with pytest.raises(ParseError):
        parse_slabinfo(data)


def test_procfs_slabinfo(procfs_fixtures):
    # procfs's TestSlabInfo, on the fields node_exporter exports (the tunables and slab counts are not read).
    slabs = parse_slabinfo((procfs_fixtures / "proc" / "slabinfo").read_text())
    assert len(slabs) == 300
    assert slabs[0] == Slab("pid_3", 375, 532, 576, 28, 4)
