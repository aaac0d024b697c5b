"""SELinux's parsers, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.sysfs.selinux import (
    parse_avc_cache_stats,
    parse_avc_hash_stats,
    parse_config_mode,
    parse_enforce,
)

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


def test_procfs_avc_stats(procfs_fixtures):
    # procfs's TestAVCStats and TestAVCHashStat.
    avc = procfs_fixtures / "sys/fs/selinux/avc"
    assert parse_avc_cache_stats((avc / "cache_stats").read_text()) == {
        "lookups": 91590784, "hits": 91569452, "misses": 21332, "allocations": 21332, "reclaims": 20400,
        "frees": 20826}
    assert parse_avc_hash_stats((avc / "hash_stats").read_text()) == {
        "entries": 503, "buckets_used": 257, "buckets_available": 512, "longest_chain": 8}
