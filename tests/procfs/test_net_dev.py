"""/proc/net/dev's parser: tables of cases, and procfs's own expectations on its test tree."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.net_dev import NET_DEV_FIELDS, parse_net_dev

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


@pytest.mark.parametrize("name", ["eth0", "eth0:1"])
def test_procfs_net_dev_line(name):
    # procfs's TestNetDevParseLine: the sixteen counters in column order, an alias name kept whole.
    line = (f"  {name}: 1 2 3    4    5     6          7         8 9  10    11    12    13     14       15"
            "          16")
    assert parse_net_dev(HEADER + line + "\n") == {name: dict(zip(NET_DEV_FIELDS, range(1, 17), strict=True))}


def _rx_tx(counters: dict[str, int]) -> tuple[int, int, int, int]:
    return (counters["receive_bytes"], counters["receive_packets"], counters["transmit_bytes"],
            counters["transmit_packets"])


@pytest.mark.parametrize(("path", "expected"), [
    # procfs's TestNetDev and TestProcNetDev: (rx bytes, rx packets, tx bytes, tx packets); the rest are 0.
    ("net/dev", {"vethf345468": (648, 8, 438, 5), "lo": (1664039048, 1566805, 1664039048, 1566805),
                 "docker0": (2568, 38, 438, 5), "eth0": (874354587, 1036395, 563352563, 732147)}),
    ("26231/net/dev", {"lo": (0, 0, 0, 0), "eth0": (438, 5, 648, 8)}),
])
def test_procfs_net_dev(procfs_fixtures, path, expected):
    got = parse_net_dev((procfs_fixtures / "proc" / path).read_text())
    assert {name: _rx_tx(counters) for name, counters in got.items()} == expected
    for counters in got.values():
        assert sum(counters.values()) == sum(_rx_tx(counters))
