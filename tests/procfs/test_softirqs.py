"""/proc/softirqs's parser, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.softirqs import parse_softirqs


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("CPU0\n", {}),
        ("CPU0 CPU1\nHI: 1 2\n", {"HI": [1, 2]}),
        ("CPU0\nHI:\nNEW_VECTOR: 5\nRCU: 3\n", {"RCU": [3]}),  # unknown rows and rows without values
        ("garbage header\nTIMER: 18446744073709551615\n", {"TIMER": [(1 << 64) - 1]}),
    ],
)
def test_parse_softirqs(data, expected):
    assert parse_softirqs(data) == expected


@pytest.mark.parametrize(
    "data", ["", "CPU0\nHI: x\n", "CPU0\nRCU: -1\n", "CPU0\nSCHED: 18446744073709551616\n"]
)
def test_parse_softirqs_rejects(data):
    with pytest.raises(ParseError):
        parse_softirqs(data)


def test_procfs_softirqs(procfs_fixtures):
    # procfs's TestSoftirqs.
    got = parse_softirqs((procfs_fixtures / "proc" / "softirqs").read_text())
    assert got["HI"][0] == 3
    assert got["TIMER"][1] == 247490
    assert got["NET_TX"][0] == 2419
    assert got["NET_RX"][1] == 28694
    assert got["BLOCK"][1] == 262755
    assert got["IRQ_POLL"][0] == 0
    assert got["TASKLET"][0] == 209
    assert got["SCHED"][0] == 2278692
    assert got["HRTIMER"][0] == 1281
    assert got["RCU"][1] == 532783
