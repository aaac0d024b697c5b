from pyexporter import metrics
from pyexporter.metrics import gauge


def test_one_label_samples_share_their_label_pairs():
    a = gauge("node_a", "A.", "device").family().add(1, "eth0")
    b = gauge("node_b", "B.", "device").family().add(2, "eth0")
    assert a.samples[0].labels == (("device", "eth0"),)
    assert a.samples[0].labels is b.samples[0].labels


def test_shared_label_pairs_are_bounded(monkeypatch):
    monkeypatch.setattr(metrics, "_SHARED_LABELS_MAX", 10)
    metrics._shared_labels.clear()
    fam = gauge("node_c", "C.", "pid").family()
    for pid in range(25):
        fam.add(pid, str(pid))
    assert len(metrics._shared_labels) <= 10
    assert [s.labels for s in fam.samples] == [(("pid", str(pid)),) for pid in range(25)]


def test_several_labels_sorted_by_name():
    fam = gauge("node_d", "D.", "zeta", "alpha", "mid").family().add(3, "z", "a", "m")
    assert fam.samples[0] == ("node_d", (("alpha", "a"), ("mid", "m"), ("zeta", "z")), 3.0)
    assert type(fam.samples[0]) is metrics.Sample and fam.samples[0].value == 3.0
