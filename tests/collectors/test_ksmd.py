import pytest

from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree

KSM = "sys/kernel/mm/ksm"
FILES = {"full_scans": "323\n", "merge_across_nodes": "1\n", "pages_shared": "1\n", "pages_sharing": "255\n",
         "pages_to_scan": "100\n", "pages_unshared": "0\n", "pages_volatile": "0\n", "run": "1\n",
         "sleep_millisecs": "20\n", "general_profit": "1044480\n"}


def tree(tmp_path, **overrides):
    write_tree(tmp_path, {f"{KSM}/{name}": overrides.get(name, text) for name, text in FILES.items()})


def test_ksmd_collector(tmp_path):
    tree(tmp_path)
    collector = make_collector("ksmd", tmp_path)
    got = samples(collector.collect())
    assert got == {
        "node_ksmd_full_scans_total": 323, "node_ksmd_merge_across_nodes": 1, "node_ksmd_pages_shared": 1,
        "node_ksmd_pages_sharing": 255, "node_ksmd_pages_to_scan": 100, "node_ksmd_pages_unshared": 0,
        "node_ksmd_pages_volatile": 0, "node_ksmd_run": 1, "node_ksmd_sleep_seconds": 0.02,
        "node_ksmd_general_profit_bytes": 1044480,
    }
    text = collect_text(collector)
    assert "# TYPE node_ksmd_full_scans_total counter\n" in text
    assert "# HELP node_ksmd_run The status of ksmd. stopped = 0, running = 1\n" in text


def test_ksmd_older_kernel_without_general_profit(tmp_path):
    tree(tmp_path)
    (tmp_path / KSM / "general_profit").unlink()
    got = samples(make_collector("ksmd", tmp_path).collect())
    assert "node_ksmd_general_profit_bytes" not in got and got["node_ksmd_run"] == 1


@pytest.mark.parametrize("value", ["-201384320\n", "", "1.5\n", "abc\n", "99999999999999999999999\n"])
def test_ksmd_malformed_value(tmp_path, value):
    # node_exporter reads every file as an unsigned integer; a negative profit fails it too.
    tree(tmp_path, general_profit=value)
    with pytest.raises(ParseError):
        list(make_collector("ksmd", tmp_path).collect())
