import pytest

from tests.support import collect_text, make_collector, samples, write_tree


def test_loadavg_collector(tmp_path):
    write_tree(tmp_path, {"proc/loadavg": "0.21 0.37 0.39 1/719 19737\n"})
    collector = make_collector("loadavg", tmp_path)
    assert samples(collector.collect()) == {"node_load1": 0.21, "node_load5": 0.37, "node_load15": 0.39}
    assert "# HELP node_load1 1m load average.\n# TYPE node_load1 gauge\n" in collect_text(collector)


def test_loadavg_missing_file(tmp_path):
    collector = make_collector("loadavg", tmp_path)
    with pytest.raises(FileNotFoundError):
        list(collector.collect())
