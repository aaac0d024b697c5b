import pytest

from pyexporter.errors import ParseError
from tests.procfs.test_net_ip_socket import UDP, UDP6
from tests.support import collect_text, make_collector, samples, write_tree


def test_udp_queues_collector(tmp_path):
    write_tree(tmp_path, {"proc/net/udp": UDP, "proc/net/udp6": UDP6})
    collector = make_collector("udp_queues", tmp_path)
    assert samples(collector.collect()) == {
        'node_udp_queues{ip="v4",queue="tx"}': 0x16, 'node_udp_queues{ip="v4",queue="rx"}': 0x100,
        'node_udp_queues{ip="v6",queue="tx"}': 2, 'node_udp_queues{ip="v6",queue="rx"}': 3,
    }
    assert ("# HELP node_udp_queues Number of allocated memory in the kernel for UDP datagrams in bytes.\n"
            in collect_text(collector))


def test_one_missing_file_is_skipped(tmp_path):
    write_tree(tmp_path, {"proc/net/udp6": UDP6})
    assert set(samples(make_collector("udp_queues", tmp_path).collect())) == {
        'node_udp_queues{ip="v6",queue="tx"}', 'node_udp_queues{ip="v6",queue="rx"}'}


def test_empty_file_reads_zero(tmp_path):
    write_tree(tmp_path, {"proc/net/udp": ""})
    assert samples(make_collector("udp_queues", tmp_path).collect()) == {
        'node_udp_queues{ip="v4",queue="tx"}': 0, 'node_udp_queues{ip="v4",queue="rx"}': 0}


def test_malformed_line(tmp_path):
    write_tree(tmp_path, {"proc/net/udp": UDP + "   2: garbage\n"})
    with pytest.raises(ParseError):
        list(make_collector("udp_queues", tmp_path).collect())
