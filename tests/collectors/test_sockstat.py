import os

import pytest

from pyexporter.errors import ParseError
from tests.procfs.test_net_sockstat import SOCKSTAT
from tests.support import collect_text, make_collector, samples, write_tree

SOCKSTAT6 = "TCP6: inuse 17\nUDP6: inuse 9\nFRAG6: inuse 0 memory 0\n"


def test_sockstat_collector(tmp_path):
    write_tree(tmp_path, {"proc/net/sockstat": SOCKSTAT, "proc/net/sockstat6": SOCKSTAT6})
    collector = make_collector("sockstat", tmp_path)
    page = os.sysconf("SC_PAGESIZE")
    assert samples(collector.collect()) == {
        "node_sockstat_sockets_used": 229, "node_sockstat_TCP_inuse": 4, "node_sockstat_TCP_orphan": 0,
        "node_sockstat_TCP_tw": 4, "node_sockstat_TCP_alloc": 17, "node_sockstat_TCP_mem": 1,
        "node_sockstat_TCP_mem_bytes": page, "node_sockstat_UDP_inuse": 0, "node_sockstat_UDP_mem": 2,
        "node_sockstat_UDP_mem_bytes": 2 * page, "node_sockstat_UDPLITE_inuse": 0,
        "node_sockstat_FRAG_inuse": 0, "node_sockstat_FRAG_memory": 0, "node_sockstat_TCP6_inuse": 17,
        "node_sockstat_UDP6_inuse": 9, "node_sockstat_FRAG6_inuse": 0, "node_sockstat_FRAG6_memory": 0,
    }
    assert ("# HELP node_sockstat_TCP_mem_bytes Number of TCP sockets in state mem_bytes.\n"
            "# TYPE node_sockstat_TCP_mem_bytes gauge\n") in collect_text(collector)


def test_sockets_line_of_sockstat6_is_ignored(tmp_path):
    write_tree(tmp_path, {"proc/net/sockstat6": "sockets: used 5\nTCP6: inuse 1\n"})
    assert samples(make_collector("sockstat", tmp_path).collect()) == {"node_sockstat_TCP6_inuse": 1}


def test_missing_files_are_skipped(tmp_path):
    assert samples(make_collector("sockstat", tmp_path).collect()) == {}
    write_tree(tmp_path, {"proc/net/sockstat": SOCKSTAT})
    assert "node_sockstat_sockets_used" in samples(make_collector("sockstat", tmp_path).collect())


def test_empty_file(tmp_path):
    write_tree(tmp_path, {"proc/net/sockstat": "", "proc/net/sockstat6": ""})
    assert samples(make_collector("sockstat", tmp_path).collect()) == {}


def test_malformed_line(tmp_path):
    write_tree(tmp_path, {"proc/net/sockstat": SOCKSTAT + "RAW: inuse\n"})
    with pytest.raises(ParseError):
        list(make_collector("sockstat", tmp_path).collect())
