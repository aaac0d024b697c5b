import pytest

from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree
from tests.sysfs.test_selinux import CACHE_STATS, HASH_STATS


def _enabled_tree(tmp_path, **extra):
    files = {
        "sys/fs/selinux/enforce": "1",
        "sys/fs/selinux/avc/cache_stats": CACHE_STATS,
        "sys/fs/selinux/avc/hash_stats": HASH_STATS,
        "sys/fs/selinux/avc/cache_threshold": "512\n",
        "proc/thread-self/attr/current": "system_u:system_r:node_exporter_t:s0\x00",
        "etc/selinux/config": "SELINUX=permissive\n",
    }
    files.update(extra)
    return write_tree(tmp_path, files)


def test_selinux_enabled(tmp_path):
    collector = make_collector("selinux", _enabled_tree(tmp_path))
    assert samples(collector.collect()) == {
        "node_selinux_enabled": 1,
        "node_selinux_config_mode": 0,
        "node_selinux_current_mode": 1,
        "node_selinux_avc_lookups_total": 13,
        "node_selinux_avc_hits_total": 10,
        "node_selinux_avc_misses_total": 3,
        "node_selinux_avc_allocations_total": 3,
        "node_selinux_avc_reclaims_total": 0,
        "node_selinux_avc_frees_total": 9,
        "node_selinux_avc_hash_entries": 512,
        "node_selinux_avc_hash_buckets_used": 300,
        "node_selinux_avc_hash_buckets_available": 512,
        "node_selinux_avc_hash_longest_chain": 5,
        "node_selinux_avc_threshold": 512,
    }
    text = collect_text(collector)
    assert "# HELP node_selinux_enabled SELinux is enabled, 1 is true, 0 is false\n" in text
    assert "# TYPE node_selinux_avc_hits_total counter\n" in text
    assert "# TYPE node_selinux_avc_hash_entries gauge\n" in text


def test_selinux_not_mounted_is_disabled(tmp_path):
    write_tree(tmp_path, {"sys/fs/selinux": None, "etc/selinux/config": "SELINUX=enforcing\n"})
    assert samples(make_collector("selinux", tmp_path).collect()) == {"node_selinux_enabled": 0}


def test_selinux_kernel_label_is_disabled(tmp_path):
    tree = _enabled_tree(tmp_path, **{"proc/thread-self/attr/current": "kernel"})
    assert samples(make_collector("selinux", tree).collect()) == {"node_selinux_enabled": 0}


def test_selinux_unreadable_label_and_missing_config(tmp_path):
    tree = _enabled_tree(tmp_path)
    (tree / "proc/thread-self/attr/current").unlink()
    (tree / "etc/selinux/config").unlink()
    got = samples(make_collector("selinux", tree).collect())
    assert got["node_selinux_enabled"] == 1 and got["node_selinux_config_mode"] == -1


def test_selinux_missing_avc_file_fails(tmp_path):
    tree = _enabled_tree(tmp_path)
    (tree / "sys/fs/selinux/avc/hash_stats").unlink()
    with pytest.raises(FileNotFoundError):
        list(make_collector("selinux", tree).collect())


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("sys/fs/selinux/avc/cache_stats", "h\n1 2 3\n"),
        ("sys/fs/selinux/avc/hash_stats", ""),
        ("sys/fs/selinux/avc/cache_threshold", "lots\n"),
    ],
)
def test_selinux_malformed_or_empty_avc_file_fails(tmp_path, path, content):
    with pytest.raises(ParseError):
        list(make_collector("selinux", _enabled_tree(tmp_path, **{path: content})).collect())


def test_selinux_empty_cache_stats_reads_zero(tmp_path):
    tree = _enabled_tree(tmp_path, **{"sys/fs/selinux/avc/cache_stats": ""})
    assert samples(make_collector("selinux", tree).collect())["node_selinux_avc_lookups_total"] == 0
