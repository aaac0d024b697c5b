"""/proc/buddyinfo's parser, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.buddyinfo import BuddyInfo, parse_buddyinfo


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


def test_procfs_buddyinfo(procfs_fixtures):
    # procfs's TestBuddyInfo.
    buddy = parse_buddyinfo((procfs_fixtures / "proc" / "buddyinfo").read_text())
    assert (buddy[0].zone, buddy[2].zone) == ("DMA", "Normal")
    assert buddy[2].sizes[0] == 4381.0
    assert buddy[1].sizes[1] == 572.0


@pytest.mark.parametrize(
    "text",
    [
        # procfs's TestParseBuddyInfoShort and TestParseBuddyInfoSizeMismatch.
        "Node 0, zone\nNode 0, zone\nNode 0, zone\n",
        "Node 0, zone      DMA      1      0      1      0      2      1      1      0      1      1      3\n"
        "Node 0, zone    DMA32    759    572    791    475    194     45     12      0      0      0      0"
        "      0\n"
        "Node 0, zone   Normal   4381   1093    185   1530    567    102      4      0      0      0\n",
    ],
)
def test_procfs_buddyinfo_rejects(text):
    with pytest.raises(ParseError):
        parse_buddyinfo(text)
