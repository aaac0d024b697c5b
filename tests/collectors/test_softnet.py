import pytest

from pyexporter.errors import ParseError
from tests.procfs.test_net_softnet import NEW, OLD
from tests.support import collect_text, make_collector, samples, write_tree


def test_softnet_collector(tmp_path):
    write_tree(tmp_path, {"proc/net/softnet_stat": OLD})
    collector = make_collector("softnet", tmp_path)
    got = samples(collector.collect())
    assert got['node_softnet_processed_total{cpu="1"}'] == 0xDFB82
    assert got['node_softnet_dropped_total{cpu="1"}'] == 41
    assert got['node_softnet_times_squeezed_total{cpu="0"}'] == 1
    assert got['node_softnet_cpu_collision_total{cpu="1"}'] == 2
    assert got['node_softnet_received_rps_total{cpu="1"}'] == 3
    assert got['node_softnet_flow_limit_count_total{cpu="1"}'] == 4
    assert got['node_softnet_backlog_len{cpu="1"}'] == 0
    assert len(got) == 14
    assert "# TYPE node_softnet_backlog_len gauge\n" in collect_text(collector)


def test_cpu_label_from_index_column(tmp_path):
    write_tree(tmp_path, {"proc/net/softnet_stat": NEW})
    got = samples(make_collector("softnet", tmp_path).collect())
    assert got['node_softnet_backlog_len{cpu="4"}'] == 8


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(make_collector("softnet", tmp_path).collect())


def test_empty_file(tmp_path):
    write_tree(tmp_path, {"proc/net/softnet_stat": ""})
    assert samples(make_collector("softnet", tmp_path).collect()) == {}


def test_malformed_line(tmp_path):
    write_tree(tmp_path, {"proc/net/softnet_stat": OLD + "1 2\n"})
    with pytest.raises(ParseError):
        list(make_collector("softnet", tmp_path).collect())
