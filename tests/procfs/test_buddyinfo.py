"""/proc/buddyinfo's parser, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.buddyinfo import BuddyInfo, parse_buddyinfo

BUDDYINFO = (
    "Node 0, zone      DMA      1      0      3 \n"
    "Node 0, zone    DMA32    759    572    791 \n"
    "Node 1, zone   Normal   4381   1093    185 \n"
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("", []),
        ("Node 0, zone DMA 1 2\n", [BuddyInfo("0", "DMA", (1.0, 2.0))]),
        ("Node 7, zone Movable\n", [BuddyInfo("7", "Movable", ())]),
        ("Node 0,, zone DMA,, 1e3\n", [BuddyInfo("0", "DMA", (1000.0,))]),
        ("Node 0, zone DMA 18446744073709551615\n", [BuddyInfo("0", "DMA", (1.8446744073709552e19,))]),
    ],
)
def test_parse_buddyinfo(data, expected):
    assert parse_buddyinfo(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        "\n",  # an empty line has no node and zone
        "Node 0, zone\n",
        "Node 0, zone DMA 1 x\n",
        "Node 0, zone DMA 1 2\nNode 0, zone DMA32 1\n",  # bucket counts differ
        "Node 0, zone DMA 1e999\n",
        "\x00\x01\x02 \xff garbage\n",
    ],
)
def test_parse_buddyinfo_rejects(data):
    with pytest.raises(ParseError):
        parse_buddyinfo(data)
