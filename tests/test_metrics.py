import pytest

from pyexporter.metrics import Families, counter, gauge, sanitize_metric_name


def test_families_makes_each_family_once_in_first_use_order():
    hits, size = counter("node_x_hits_total", "Hits.", "device"), gauge("node_x_size", "Size.", "device")
    families = Families()
    families.of(size).add(1, "a")
    families.of(hits).add(2, "a")
    families.of(size).add(3, "b")
    assert list(families) == ["node_x_size", "node_x_hits_total"]
    assert [len(f.samples) for f in families.values()] == [2, 1]
    assert families.of(hits) is families["node_x_hits_total"]


@pytest.mark.parametrize(("name", "out"), [
    ("fsync", "fsync"), ("package", "package"), ("a-b", "a_b"), ("a_-_b", "a_b"), ("x..y", "x_y"),
    ("a.b c", "a_b_c"), ("a__.__b c", "a_b_c"), ("a__b", "a__b"), (".a.", "_a_"), ("", ""),
])
def test_sanitize_metric_name(name, out):
    assert sanitize_metric_name(name) == out
