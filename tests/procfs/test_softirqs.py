"""/proc/softirqs's parser, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.softirqs import parse_softirqs

SOFTIRQS = """                    CPU0       CPU1
          HI:          7          1
       TIMER:     424191     108342
      NET_TX:       2301       2430
      NET_RX:      43066     104508
       BLOCK:      23776      24115
    IRQ_POLL:          0          0
     TASKLET:        372       1899
       SCHED:     378895     152852
     HRTIMER:         40        346
         RCU:     155929     146631
"""


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
