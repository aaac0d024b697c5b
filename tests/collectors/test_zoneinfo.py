import pytest

from pyexporter.collectors.zoneinfo import ZONEINFO_FIELDS
from pyexporter.procfs.zoneinfo import ZONEINFO_KEYS
from tests.procfs.test_zoneinfo import ZONEINFO
from tests.support import collect_text, make_collector, samples, write_tree


def test_zoneinfo_collector(tmp_path):
    write_tree(tmp_path, {"proc/zoneinfo": ZONEINFO})
    collector = make_collector("zoneinfo", tmp_path)
    got = samples(collector.collect())
    assert got['node_zoneinfo_nr_free_pages{node="0",zone="DMA32"}'] == 528427
    assert got['node_zoneinfo_nr_active_anon_pages{node="0",zone="DMA"}'] == 1175853
    assert got['node_zoneinfo_numa_hit_total{node="0",zone="DMA32"}'] == 13
    assert got['node_zoneinfo_protection_2{node="0",zone="DMA32"}'] == 29893
    assert got['node_zoneinfo_spanned_pages{node="0",zone="DMA"}'] == 4095
    assert got['node_zoneinfo_numa_miss_total{node="1",zone="Normal"}'] == 8
    assert 'node_zoneinfo_nr_active_anon_pages{node="0",zone="DMA32"}' not in got
    text = collect_text(collector)
    assert "# HELP node_zoneinfo_protection_4 Protection array 4. field\n" in text
    assert "# HELP node_zoneinfo_numa_hit_total Allocated in intended node\n" in text
    assert "# TYPE node_zoneinfo_numa_hit_total counter\n" in text
    assert "# TYPE node_zoneinfo_min_pages gauge\n" in text


def test_zoneinfo_empty_file(tmp_path):
    write_tree(tmp_path, {"proc/zoneinfo": ""})
    assert list(make_collector("zoneinfo", tmp_path).collect()) == []


def test_zoneinfo_malformed_values_read_zero(tmp_path):
    write_tree(tmp_path, {"proc/zoneinfo": "Node 0, zone DMA\n  min x\n  protection: (a, b)\n"})
    assert samples(make_collector("zoneinfo", tmp_path).collect()) == {
        'node_zoneinfo_min_pages{node="0",zone="DMA"}': 0
    }


def test_zoneinfo_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(make_collector("zoneinfo", tmp_path).collect())


def test_every_parsed_key_has_a_metric():
    # The parser keeps the keys procfs reads; the collector names each of them.
    assert set(ZONEINFO_FIELDS) == ZONEINFO_KEYS
