import pytest

from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree

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


def test_softirqs_collector(tmp_path):
    write_tree(tmp_path, {"proc/softirqs": SOFTIRQS})
    collector = make_collector("softirqs", tmp_path)
    got = samples(collector.collect())
    assert len(got) == 20
    assert got['node_softirqs_functions_total{cpu="0",type="HI"}'] == 7
    assert got['node_softirqs_functions_total{cpu="1",type="RCU"}'] == 146631
    assert got['node_softirqs_functions_total{cpu="1",type="IRQ_POLL"}'] == 0
    text = collect_text(collector)
    assert "# HELP node_softirqs_functions_total Softirq counts per CPU.\n" in text
    assert "# TYPE node_softirqs_functions_total counter\n" in text


def test_softirqs_empty_file(tmp_path):
    write_tree(tmp_path, {"proc/softirqs": ""})
    with pytest.raises(ParseError):
        list(make_collector("softirqs", tmp_path).collect())


def test_softirqs_malformed_line(tmp_path):
    write_tree(tmp_path, {"proc/softirqs": SOFTIRQS + "         RCU:     1  x\n"})
    with pytest.raises(ParseError):
        list(make_collector("softirqs", tmp_path).collect())


def test_softirqs_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(make_collector("softirqs", tmp_path).collect())
