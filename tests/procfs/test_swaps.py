"""/proc/swaps's parser, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.swaps import Swap, parse_swaps


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("", []),
        ("Filename Type Size Used Priority\n", []),
        ("header\n/dev/sda2 partition 10 5 -1\n", [Swap("/dev/sda2", "partition", 10, 5, -1)]),
        ("header\n/dev/sda2 partition 10 5 -1 extra\n", [Swap("/dev/sda2", "partition", 10, 5, -1)]),
    ],
)
def test_parse_swaps(data, expected):
    assert parse_swaps(data) == expected


@pytest.mark.parametrize(
    "data",
    ["header\n\n", "header\n/dev/sda2 partition 10 5\n", "header\n/dev/sda2 partition 1.5 5 1\n",
     "header\n/dev/sda2 partition 10 5 99999999999999999999\n", "h\n\xff\xfe \x00 a b c\n"],
)
def test_parse_swaps_rejects(data):
    with pytest.raises(ParseError):
        parse_swaps(data)


def test_procfs_swaps(procfs_fixtures):
    # procfs's TestSwaps.
    assert parse_swaps((procfs_fixtures / "proc" / "swaps").read_text()) == [
        Swap("/dev/dm-2", "partition", 131068, 176, -2)]


@pytest.mark.parametrize(("line", "expected"), [
    # procfs's TestParseSwapString (each line below the header).
    ("/dev/dm-2                               partition       131068  1024    -2",
     Swap("/dev/dm-2", "partition", 131068, 1024, -2)),
    ("/foo                                    file            1048572 0       -3",
     Swap("/foo", "file", 1048572, 0, -3)),
    ("/dev/sda2                               partition       hello   world   -2", None),
    ("/dev/dm-2                               partition       131068  1024", None),
])
def test_procfs_parse_swap_lines(line, expected):
    text = "Filename Type Size Used Priority\n" + line + "\n"
    if expected is None:
        with pytest.raises(ParseError):
            parse_swaps(text)
    else:
        assert parse_swaps(text) == [expected]
