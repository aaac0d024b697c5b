import pytest

from pyexporter.metrics import (
    Families,
    MetricFamily,
    Sample,
    counter,
    family_problem,
    gauge,
    sanitize_metric_name,
)


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


def _family(name: str = "node_x", help: str = "Help.", type: str = "gauge", *samples: tuple) -> MetricFamily:
    family = MetricFamily(name, help, type)
    family.samples.extend(Sample(*s) for s in samples)
    return family


@pytest.mark.parametrize("family", [
    _family(),
    _family("node_x", "Help with ü and \\n.", "counter", ("node_x", (("a", "1"), ("b", "ü")), 1.0)),
    _family("node_x:y", "", "histogram", ("node_x:y_bucket", (("le", "+Inf"),), 2.0),
            ("node_x:y_sum", (), 1.5), ("node_x:y_count", (), 2.0)),
    gauge("node_x", "Help.", "device", "cpu").one(1, "sda", "0"),
])
def test_family_problem_finds_none_in_a_fit_family(family):
    assert family_problem(family) is None


@pytest.mark.parametrize(("family", "problem"), [
    ("node_x", "'node_x' is not a MetricFamily"),
    (_family("node-x"), "invalid metric name 'node-x'"),
    (_family("0node"), "invalid metric name '0node'"),
    (_family(""), "invalid metric name ''"),
    (_family("node_x", "Help.", "gaug"), "node_x: invalid type 'gaug'"),
    (_family("node_x", "\udc80"), "node_x: HELP is not UTF-8 text"),
    (_family("node_x", "Help.", "gauge", ("node x", (), 1.0)), "node_x: invalid sample name 'node x'"),
    (_family("node_x", "Help.", "gauge", ("node_x", (), 1)), "node_x: value 1 is not a float"),
    (_family("node_x", "Help.", "gauge", ("node_x", {"a": "1"}, 1.0)), "node_x: labels {'a': '1'} are not"),
    (_family("node_x", "Help.", "gauge", ("node_x", (("a", 1),), 1.0)), "node_x: ('a', 1) is not a"),
    (_family("node_x", "Help.", "gauge", ("node_x", (("a-b", "1"),), 1.0)), "invalid label name 'a-b'"),
    (_family("node_x", "Help.", "gauge", ("node_x", (("__name__", "1"),), 1.0)), "invalid label name"),
    (_family("node_x", "Help.", "gauge", ("node_x", (("b", "1"), ("a", "1")), 1.0)), "out of order"),
    (_family("node_x", "Help.", "gauge", ("node_x", (("a", "1"), ("a", "2")), 1.0)), "repeated"),
    (_family("node_x", "Help.", "gauge", ("node_x", (("a", "\ud800"),), 1.0)), "label a is not UTF-8"),
])
def test_family_problem_names_what_would_break_an_exposition(family, problem):
    found = family_problem(family)
    assert found is not None and problem in found, found


def test_family_problem_on_samples_that_are_not_samples():
    family = MetricFamily("node_x", "Help.")
    family.samples.append(("node_x", ()))
    assert family_problem(family) == "node_x: ('node_x', ()) is not a Sample"
    family.samples = ()
    assert family_problem(family) == "node_x: samples is not a list"
