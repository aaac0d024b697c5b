from pyexporter.metrics import gauge
from pyexporter.scrape import merge_families


def test_merge_sorts_families_and_samples_and_drops_duplicates():
    a = gauge("node_b", "B.", "dev")
    first = a.family().add(1, "sdb").add(2, "sda")
    second = a.family().add(3, "sda").add(4, "sdc")
    other = gauge("node_a", "A.").one(9)
    merged = merge_families([[first], [second, other]])
    assert [f.name for f in merged] == ["node_a", "node_b"]
    assert [(s.labels, s.value) for s in merged[1].samples] == [
        ((("dev", "sda"),), 2.0), ((("dev", "sdb"),), 1.0), ((("dev", "sdc"),), 4.0)]


def test_merge_keeps_first_type_on_conflict():
    g = gauge("node_x", "X.").one(1)
    from pyexporter.metrics import counter

    c = counter("node_x", "X.").one(2)
    merged = merge_families([[g], [c]])
    assert len(merged) == 1 and merged[0].type == "gauge" and merged[0].samples[0].value == 1.0
