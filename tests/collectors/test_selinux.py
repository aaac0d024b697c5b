import pytest

from pyexporter.collectors.selinux import (
    parse_avc_cache_stats,
    parse_avc_hash_stats,
    parse_config_mode,
    parse_enforce,
)
from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree

CACHE_STATS = (
    "lookups hits misses allocations reclaims frees\n"
    "3 2 1 1 0 1\n"
    "10 8 2 2 0 010\n"  # base 0: a leading zero is octal, as node_exporter parses it
)
AVC_NAMES = ("lookups", "hits", "misses", "allocations", "reclaims", "frees")
HASH_STATS = "entries: 512\nbuckets used: 300/512\nlongest chain: 5\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (CACHE_STATS, {"lookups": 13, "hits": 10, "misses": 3, "allocations": 3, "reclaims": 0, "frees": 9}),
        ("", dict.fromkeys(AVC_NAMES, 0)),
        ("header only\n", dict.fromkeys(AVC_NAMES, 0)),
    ],
)
def test_parse_avc_cache_stats(text, expected):
    assert parse_avc_cache_stats(text) == expected


@pytest.mark.parametrize("text", ["h\n1 2 3 4 5\n", "h\n1 2 3 4 5 6 7\n", "h\n\n", "h\n1 2 3 4 5 08\n"])
def test_parse_avc_cache_stats_rejects(text):
    with pytest.raises(ParseError):
        parse_avc_cache_stats(text)


def test_parse_avc_hash_stats():
    assert parse_avc_hash_stats(HASH_STATS) == {
        "entries": 512, "buckets_used": 300, "buckets_available": 512, "longest_chain": 5}


@pytest.mark.parametrize(
    "text",
    ["", "entries: 512\n", "entries: 512\nbuckets used: 300\nlongest chain: 5\n",
     "entries: x\nbuckets used: 1/2\nlongest chain: 5\n", "entries: 1\nbuckets used: 1/2\n",
     "entries: 1\nbuckets used: 1/-2\nlongest chain: 5\n"],
)
def test_parse_avc_hash_stats_rejects(text):
    with pytest.raises(ParseError):
        parse_avc_hash_stats(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELINUX=enforcing\nSELINUXTYPE=targeted\n", 1),
        ("# SELINUX=enforcing\n  SELINUX = \"permissive\"  \n", 0),
        ("SELINUX=disabled\n", -1),
        ("SELINUXTYPE=targeted\n", -1),
        ("", -1),
        ("SELINUX=Enforcing\n", -1),
    ],
)
def test_parse_config_mode(text, expected):
    assert parse_config_mode(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("1", 1), ("0", 0), ("1\n", -1), ("", -1), ("x", -1)])
def test_parse_enforce(text, expected):
    assert parse_enforce(text) == expected


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
