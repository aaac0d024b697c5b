import pytest

from pyexporter.errors import ParseError
from tests.procfs.test_meminfo import MEMINFO
from tests.support import collect_text, make_collector, samples, write_tree


def test_meminfo_collector(tmp_path):
    write_tree(tmp_path, {"proc/meminfo": MEMINFO})
    got = samples(make_collector("meminfo", tmp_path).collect())
    assert got == {
        "node_memory_MemTotal_bytes": 3742148 * 1024,
        "node_memory_MemFree_bytes": 225472 * 1024,
        "node_memory_MemAvailable_bytes": 1000000 * 1024,
        "node_memory_Active_anon_bytes": 2020004 * 1024,
        "node_memory_Inactive_file_bytes": 145676 * 1024,
        "node_memory_Mlocked_bytes": 32768,
        "node_memory_Zswap_bytes": 8192,
        "node_memory_HugePages_Total": 2,
        "node_memory_HugePages_Free": 1,
        "node_memory_Hugepagesize_bytes": 2048 * 1024,
        "node_memory_DirectMap1G_bytes": 1048576 * 1024,
    }
    # KReclaimable is not among the fields node_exporter 1.12.1 serves.


def test_meminfo_help_and_type(tmp_path):
    write_tree(tmp_path, {"proc/meminfo": MEMINFO})
    text = collect_text(make_collector("meminfo", tmp_path))
    assert ("# HELP node_memory_MemTotal_bytes Memory information field MemTotal_bytes.\n"
            "# TYPE node_memory_MemTotal_bytes gauge\nnode_memory_MemTotal_bytes 3.831959552e+09\n") in text
    assert "# HELP node_memory_HugePages_Total Memory information field HugePages_Total.\n" in text


def test_meminfo_empty_file(tmp_path):
    write_tree(tmp_path, {"proc/meminfo": ""})
    assert list(make_collector("meminfo", tmp_path).collect()) == []


def test_meminfo_malformed_line(tmp_path):
    write_tree(tmp_path, {"proc/meminfo": MEMINFO + "Broken: many kB\n"})
    with pytest.raises(ParseError):
        list(make_collector("meminfo", tmp_path).collect())


def test_meminfo_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(make_collector("meminfo", tmp_path).collect())
