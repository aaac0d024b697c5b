"""gather(): client_golang's merge rules, for the scrape engine and the textfile collector alike."""

import logging

from hypothesis import given, settings
from hypothesis import strategies as st

from pyexporter.gather import gather
from pyexporter.metrics import HISTOGRAM, SUMMARY, MetricFamily, counter, gauge


def test_families_of_one_name_merge_sorted_and_duplicates_dropped():
    a = gauge("node_b", "B.", "dev")
    first = a.family().add(1, "sdb").add(2, "sda")
    second = a.family().add(3, "sda").add(4, "sdc")
    other = gauge("node_a", "A.").one(9)
    merged = gather([[first], [second, other]])
    assert [f.name for f in merged] == ["node_a", "node_b"]
    assert [(s.labels, s.value) for s in merged[1].samples] == [
        ((("dev", "sda"),), 2.0), ((("dev", "sdb"),), 1.0), ((("dev", "sdc"),), 4.0)]


def test_another_type_or_help_is_dropped_the_first_stands():
    merged = gather([[gauge("node_x", "X.").one(1)], [counter("node_x", "X.", "a").one(2, "b")],
                     [gauge("node_x", "Other.", "a").one(3, "c")], [gauge("node_x", "X.", "a").one(4, "d")]])
    assert len(merged) == 1 and merged[0].type == "gauge" and merged[0].help == "X."
    assert [s.value for s in merged[0].samples] == [1.0, 4.0]


def test_families_without_samples_take_no_part():
    # client_golang knows a family only by its metrics: an empty one neither claims HELP nor is served.
    merged = gather([[gauge("node_x", "Empty.").family()], [gauge("node_x", "X.").one(1)]])
    assert [(f.help, len(f.samples)) for f in merged] == [("X.", 1)]


def _summary(name: str, labels: dict, quantile: float, total: float, count: float) -> MetricFamily:
    fam = MetricFamily(name, "S.", SUMMARY)
    fam.add_sample(name, {**labels, "quantile": "0.5"}, quantile)
    fam.add_sample(f"{name}_sum", labels, total)
    fam.add_sample(f"{name}_count", labels, count)
    return fam


def test_suffix_collisions_are_dropped_either_way():
    merged = gather([[_summary("s", {}, 1, 2, 3)], [gauge("s_count", "C.").one(9)],
                     [gauge("h_sum", "H.").one(7)], [MetricFamily("h", "H.", HISTOGRAM).add_sample(
                         "h_bucket", {"le": "+Inf"}, 1)]])
    assert [f.name for f in merged] == ["h_sum", "s"]
    # A summary's name with _bucket is free; a histogram's is not.
    assert [f.name for f in gather([[_summary("t", {}, 1, 2, 3)], [counter("t_bucket", "B.").one(1)]])] == [
        "t", "t_bucket"]


def test_summary_metrics_are_the_unit_of_duplicates_and_order():
    merged = gather([[_summary("s", {"x": "b"}, 1, 2, 3)],
                     [_summary("s", {"x": "a"}, 4, 5, 6), _summary("s", {"x": "b"}, 7, 8, 9)],
                     [_summary("s", {}, 10, 11, 12)]])
    (family,) = merged
    # client_golang's metric order: fewer labels first, then label values; the repeated x="b" is dropped.
    assert [(s.name, dict(s.labels), s.value) for s in family.samples] == [
        ("s", {"quantile": "0.5"}, 10.0), ("s_sum", {}, 11.0), ("s_count", {}, 12.0),
        ("s", {"x": "a", "quantile": "0.5"}, 4.0), ("s_sum", {"x": "a"}, 5.0), ("s_count", {"x": "a"}, 6.0),
        ("s", {"x": "b", "quantile": "0.5"}, 1.0), ("s_sum", {"x": "b"}, 2.0), ("s_count", {"x": "b"}, 3.0)]


def test_each_drop_is_logged_once(caplog):
    families = [[gauge("node_d", "D.").one(1)], [gauge("node_d", "D.").one(2)],
                [counter("node_d", "D.").one(3)]]
    with caplog.at_level(logging.WARNING, logger="pyexporter.gather"):
        for _ in range(3):
            gather(families)
    messages = [r.getMessage() for r in caplog.records if "node_d" in r.getMessage()]
    assert len(messages) == 2, messages
    assert any("collected before" in m for m in messages) and any("type counter" in m for m in messages)


def _reference(groups):
    """The plain algorithm for gauges: stable sort by (name, labels), keep the first of equal keys."""
    by_name = {}
    for group in groups:
        for fam in group:
            by_name.setdefault(fam.name, []).extend(fam.samples)
    out = {}
    for name, samples in by_name.items():
        kept, previous = [], None
        for sample in sorted(samples, key=lambda s: (s.name, s.labels)):
            if (sample.name, sample.labels) != previous:
                kept.append(sample)
            previous = (sample.name, sample.labels)
        if kept:  # a family without samples is not gathered
            out[name] = kept
    return out


_values = st.sampled_from(["a", "b", "eth0", "eth10", "eth2", "", "é", "sda"])
_labels = st.one_of(
    st.tuples(_values).map(lambda v: {"device": v[0]}),
    st.tuples(_values).map(lambda v: {"cpu": v[0]}),
    st.tuples(_values, _values).map(lambda v: {"cpu": v[0], "mode": v[1]}),
    st.just({}),
)
_samples = st.lists(st.tuples(st.sampled_from(["node_x", "node_x_sum", "node_x_count"]), _labels,
                              st.floats(allow_nan=False)), max_size=30)


@settings(max_examples=300, deadline=None)
@given(st.lists(_samples, min_size=1, max_size=3), st.booleans())
def test_order_and_duplicates_match_the_plain_sort(groups_of_samples, one_label_only):
    groups = []
    for samples in groups_of_samples:
        fam = MetricFamily("node_x", "X.", "gauge")
        for name, labels, value in samples:
            if one_label_only:
                name, labels = "node_x", {"device": labels.get("device", labels.get("cpu", "z"))}
            fam.add_sample(name, labels, value)
        groups.append([fam])
    merged = {f.name: f.samples for f in gather(groups)}
    assert merged == _reference(groups)


def test_one_label_family_sorted_by_value():
    fam = MetricFamily("node_y", "Y.", "gauge", ("device",))
    for device in ["eth10", "eth2", "eth1", "eth2"]:
        fam.add(1, device)
    (merged,) = gather([[fam]])
    assert [s.labels[0][1] for s in merged.samples] == ["eth1", "eth10", "eth2"]
