from pyexporter.metrics import Families, counter, gauge


def test_families_makes_each_family_once_in_first_use_order():
    hits, size = counter("node_x_hits_total", "Hits.", "device"), gauge("node_x_size", "Size.", "device")
    families = Families()
    families.of(size).add(1, "a")
    families.of(hits).add(2, "a")
    families.of(size).add(3, "b")
    assert list(families) == ["node_x_size", "node_x_hits_total"]
    assert [len(f.samples) for f in families.values()] == [2, 1]
    assert families.of(hits) is families["node_x_hits_total"]
