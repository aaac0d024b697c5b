import pytest

from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree

NODE0_MEMINFO = """Node 0 MemTotal:       100 kB
Node 0 Active(anon):     2 kB
Node 0 HugePages_Total:     3

"""
NODE1_MEMINFO = "Node 1 MemTotal:       200 kB\n"
NUMASTAT = "numa_hit 10\nnuma_miss 1\n"


def _tree(tmp_path, **override):
    files = {
        "sys/devices/system/node/node0/meminfo": NODE0_MEMINFO,
        "sys/devices/system/node/node0/numastat": NUMASTAT,
        "sys/devices/system/node/node1/meminfo": NODE1_MEMINFO,
        "sys/devices/system/node/node1/numastat": NUMASTAT,
        "sys/devices/system/node/possible": "0-1\n",
        "sys/devices/system/node/power/x": "",
    }
    files.update(override)
    write_tree(tmp_path, files)


def test_meminfo_numa_collector(tmp_path):
    _tree(tmp_path)
    collector = make_collector("meminfo_numa", tmp_path)
    assert samples(collector.collect()) == {
        'node_memory_numa_MemTotal{node="0"}': 102400,
        'node_memory_numa_MemTotal{node="1"}': 204800,
        'node_memory_numa_Active_anon{node="0"}': 2048,
        'node_memory_numa_HugePages_Total{node="0"}': 3,
        'node_memory_numa_numa_hit_total{node="0"}': 10,
        'node_memory_numa_numa_hit_total{node="1"}': 10,
        'node_memory_numa_numa_miss_total{node="0"}': 1,
        'node_memory_numa_numa_miss_total{node="1"}': 1,
    }
    text = collect_text(collector)
    assert "# HELP node_memory_numa_Active_anon Memory information field Active_anon.\n" in text
    assert "# TYPE node_memory_numa_numa_hit_total counter\n" in text
    assert "# TYPE node_memory_numa_MemTotal gauge\n" in text


def test_meminfo_numa_no_nodes(tmp_path):
    assert list(make_collector("meminfo_numa", tmp_path).collect()) == []


def test_meminfo_numa_empty_files(tmp_path):
    node1 = "sys/devices/system/node/node1"
    _tree(tmp_path, **{f"{node1}/meminfo": "", f"{node1}/numastat": ""})
    got = samples(make_collector("meminfo_numa", tmp_path).collect())
    assert 'node_memory_numa_MemTotal{node="1"}' not in got
    assert got['node_memory_numa_MemTotal{node="0"}'] == 102400


def test_meminfo_numa_malformed_line(tmp_path):
    _tree(tmp_path, **{"sys/devices/system/node/node1/numastat": "numa_hit\n"})
    with pytest.raises(ParseError):
        list(make_collector("meminfo_numa", tmp_path).collect())


def test_meminfo_numa_missing_numastat(tmp_path):
    _tree(tmp_path)
    (tmp_path / "sys/devices/system/node/node1/numastat").unlink()
    with pytest.raises(FileNotFoundError):
        list(make_collector("meminfo_numa", tmp_path).collect())
