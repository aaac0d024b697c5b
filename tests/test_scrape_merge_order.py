"""merge_families orders and de-duplicates samples exactly as sorting by (name, labels) does."""

from hypothesis import given, settings
from hypothesis import strategies as st

from pyexporter.metrics import MetricFamily
from pyexporter.scrape import merge_families


def _reference(groups):
    """The plain algorithm: stable sort by (name, labels), keep the first of equal keys."""
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
def test_merge_matches_the_plain_sort(groups_of_samples, one_label_only):
    groups = []
    for samples in groups_of_samples:
        fam = MetricFamily("node_x", "X.", "gauge")
        for name, labels, value in samples:
            if one_label_only:
                name, labels = "node_x", {"device": labels.get("device", labels.get("cpu", "z"))}
            fam.add_sample(name, labels, value)
        groups.append([fam])
    merged = {f.name: f.samples for f in merge_families(groups)}
    assert merged == _reference(groups)


def test_one_label_family_sorted_by_value():
    fam = MetricFamily("node_y", "Y.", "gauge", ("device",))
    for device in ["eth10", "eth2", "eth1", "eth2"]:
        fam.add(1, device)
    (merged,) = merge_families([[fam]])
    assert [s.labels[0][1] for s in merged.samples] == ["eth1", "eth10", "eth2"]
