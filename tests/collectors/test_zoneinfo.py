import pytest

from collectors.zoneinfo import ZONEINFO_FIELDS
from pyexporter.procfs.zoneinfo import ZONEINFO_KEYS
from tests.support import collect_text, make_collector, samples, write_tree

ZONEINFO = """Node 0, zone      DMA
  per-node stats
      nr_inactive_anon 95612
      nr_active_anon 1175853
  pages free     2949
        min      8
        low      11
        high     14
        spanned  4095
        present  3997
        managed  3973
        protection: (0, 2039, 31932, 31932, 31932)
      nr_free_pages 2949
      numa_hit     1
  pagesets
    cpu: 0
              count: 0
              high:  0
Node 0, zone    DMA32
  pages free     528427
        min      1078
        protection: (0, 0, 29893, 29893, 29893)
      nr_free_pages 528427
      numa_hit     13
Node 1, zone   Normal
  pages free     0
        high     0x10
        low      garbage
      numa_miss  010
"""


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
    assert make_collector("zoneinfo", tmp_path).collect() == []


def test_zoneinfo_malformed_values_read_zero(tmp_path):
    write_tree(tmp_path, {"proc/zoneinfo": "Node 0, zone DMA\n  min x\n  protection: (a, b)\n"})
    assert samples(make_collector("zoneinfo", tmp_path).collect()) == {
        'node_zoneinfo_min_pages{node="0",zone="DMA"}': 0
    }


def test_zoneinfo_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        make_collector("zoneinfo", tmp_path).collect()


def test_every_parsed_key_has_a_metric():
    # The parser keeps the keys procfs reads; the collector names each of them.
    assert set(ZONEINFO_FIELDS) == ZONEINFO_KEYS
