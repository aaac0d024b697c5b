
from tests.procfs.test_schedstat import SCHEDSTAT
from tests.support import collect_text, make_collector, samples, write_tree


def test_schedstat_collector(tmp_path):
    write_tree(tmp_path, {"proc/schedstat": SCHEDSTAT})
    collector = make_collector("schedstat", tmp_path)
    got = samples(collector.collect())
    assert got['node_schedstat_running_seconds_total{cpu="0"}'] == 2045936778163039 / 1e9
    assert got['node_schedstat_waiting_seconds_total{cpu="1"}'] == 364107263788241 / 1e9
    assert got['node_schedstat_timeslices_total{cpu="1"}'] == 5145567945
    help_line = "# HELP node_schedstat_timeslices_total Number of timeslices executed by CPU.\n"
    assert help_line in collect_text(collector)


def test_schedstat_empty_file_and_malformed_lines(tmp_path):
    write_tree(tmp_path, {"proc/schedstat": ""})
    assert samples(make_collector("schedstat", tmp_path).collect()) == {}
    write_tree(tmp_path, {"proc/schedstat": "cpu0 garbage\n" + SCHEDSTAT})
    assert len(samples(make_collector("schedstat", tmp_path).collect())) == 6
