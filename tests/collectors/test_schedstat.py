import pytest

from pyexporter.errors import NoDataError
from tests.support import collect_text, make_collector, samples, write_tree

SCHEDSTAT = (
    "version 15\n"
    "timestamp 15819019232\n"
    "cpu0 498494191 0 3533438552 2553969831 3853684107 2465731542 "
    "2045936778163039 343796328169361 4767485306\n"
    "domain0 00000000,00000003 212499247 210112015 1861015 1860405436 536440 369895 32599 210079416\n"
    "cpu1 518377256 0 4155211005 2778589869 10466382 2867629021 "
    "1904686152592476 364107263788241 5145567945\n"
)


def test_schedstat_collector(tmp_path):
    write_tree(tmp_path, {"proc/schedstat": SCHEDSTAT})
    collector = make_collector("schedstat", tmp_path)
    got = samples(collector.collect())
    assert got['node_schedstat_running_seconds_total{cpu="0"}'] == 2045936778163039 / 1e9
    assert got['node_schedstat_waiting_seconds_total{cpu="1"}'] == 364107263788241 / 1e9
    assert got['node_schedstat_timeslices_total{cpu="1"}'] == 5145567945
    help_line = "# HELP node_schedstat_timeslices_total Number of timeslices executed by CPU.\n"
    assert help_line in collect_text(collector)


def test_schedstat_missing_file_is_no_data(tmp_path):
    with pytest.raises(NoDataError):
        make_collector("schedstat", tmp_path).collect()


def test_schedstat_empty_file_and_malformed_lines(tmp_path):
    write_tree(tmp_path, {"proc/schedstat": ""})
    assert samples(make_collector("schedstat", tmp_path).collect()) == {}
    write_tree(tmp_path, {"proc/schedstat": "cpu0 garbage\n" + SCHEDSTAT})
    assert len(samples(make_collector("schedstat", tmp_path).collect())) == 6
