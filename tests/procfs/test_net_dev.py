"""/proc/net/dev's parser: tables of cases, and procfs's own expectations on its test tree."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.net_dev import parse_net_dev

HEADER = (
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls "
    "carrier compressed\n"
)


COLUMNS = [
    "receive_bytes", "receive_packets", "receive_errors", "receive_dropped", "receive_fifo",
    "receive_frame", "receive_compressed", "receive_multicast", "transmit_bytes", "transmit_packets",
    "transmit_errors", "transmit_dropped", "transmit_fifo", "transmit_colls", "transmit_carrier",
    "transmit_compressed",
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {}),
        (HEADER, {}),
        (HEADER + "eth0:" + " 1" * 16 + "\n", {"eth0": dict.fromkeys(COLUMNS, 1)}),
        # An alias with a colon in its name: the name ends at the last colon.
        (HEADER + "eth0:1:" + " 0" * 15 + " 18446744073709551615\n",
         {"eth0:1": {**dict.fromkeys(COLUMNS, 0), "transmit_compressed": 2**64 - 1}}),
    ],
)
def test_parse_net_dev(text, expected):
    assert parse_net_dev(text) == expected


@pytest.mark.parametrize(
    "line",
    [
        "eth0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16",  # no colon
        "   :" + " 1" * 16,  # no name
        "eth0: 1 2 3",  # truncated
        "eth0:" + " x" * 16,  # garbage
        "eth0:" + " 1" * 15 + " 18446744073709551616",  # beyond uint64
        "eth0:" + " 1" * 15 + " -1",
    ],
)
def test_parse_net_dev_rejects_bad_lines(line):
    with pytest.raises(ParseError):
        parse_net_dev(HEADER + line + "\n")
