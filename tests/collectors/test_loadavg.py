import pytest

from pyexporter.collectors.loadavg import parse_loadavg
from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("0.02 0.03 0.05 1/497 12345\n", (0.02, 0.03, 0.05)),
        ("1 2 3", (1.0, 2.0, 3.0)),
    ],
)
def test_parse_loadavg(data, expected):
    assert parse_loadavg(data) == expected


@pytest.mark.parametrize("data", ["", "\n", "0.1 0.2", "a b c 1/2 3", "\x00\x00\x00"])
def test_parse_loadavg_rejects_bad_input(data):
    with pytest.raises(ParseError):
        parse_loadavg(data)


def test_loadavg_collector(tmp_path):
    write_tree(tmp_path, {"proc/loadavg": "0.21 0.37 0.39 1/719 19737\n"})
    collector = make_collector("loadavg", tmp_path)
    assert samples(collector.collect()) == {"node_load1": 0.21, "node_load5": 0.37, "node_load15": 0.39}
    assert "# HELP node_load1 1m load average.\n# TYPE node_load1 gauge\n" in collect_text(collector)


def test_loadavg_missing_file(tmp_path):
    collector = make_collector("loadavg", tmp_path)
    with pytest.raises(FileNotFoundError):
        list(collector.collect())
