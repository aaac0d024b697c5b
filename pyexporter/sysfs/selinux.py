"""SELinux's state: selinuxfs (/sys/fs/selinux: enforce, avc/cache_stats, avc/hash_stats).

And /etc/selinux/config, the mode SELinux starts in: go-selinux reads it beside selinuxfs.
"""

from __future__ import annotations

import re

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_int, parse_uint
from pyexporter.golang.strings import go_lines, go_trim_space

_NUMBER = re.compile(r"[0-9]+")
#: go-selinux's modes.
ENFORCING, PERMISSIVE, DISABLED = 1, 0, -1
_ASSIGNMENT = re.compile(r"([^=]+)=(.*)")
_AVC_COUNTERS = ("lookups", "hits", "misses", "allocations", "reclaims", "frees")


def parse_avc_cache_stats(text: str) -> dict[str, int]:
    """avc/cache_stats: a header, then one row of six counters per CPU; summed over CPUs."""
    totals = dict.fromkeys(_AVC_COUNTERS, 0)
    for line in go_lines(text)[1:]:
        values = _NUMBER.findall(line)
        if len(values) != len(_AVC_COUNTERS):
            raise ParseError(f"invalid AVC stat line: {line[:80]!r}")
        for name, value in zip(_AVC_COUNTERS, values, strict=True):
            totals[name] += parse_uint(value, 0)
    return totals


def parse_avc_hash_stats(text: str) -> dict[str, int]:
    """avc/hash_stats: 'entries: N', 'buckets used: U/A', 'longest chain: N'."""
    lines = [*go_lines(text), "", "", ""]
    entries = lines[0].removeprefix("entries: ")
    buckets = lines[1].split("buckets used: ")
    if len(buckets) < 2 or "/" not in buckets[1]:
        raise ParseError(f"invalid AVC hash stats line: {lines[1][:80]!r}")
    used, available = buckets[1].split("/")[:2]
    longest = lines[2].removeprefix("longest chain: ")
    return {
        "entries": parse_uint(entries, 0),
        "buckets_used": parse_uint(used, 0),
        "buckets_available": parse_uint(available, 0),
        "longest_chain": parse_uint(longest, 0),
    }


def parse_enforce(text: str) -> int:
    """selinuxfs 'enforce' (a bare number, no newline); -1 when it is not one (strconv.Atoi)."""
    try:
        return parse_int(text)
    except ParseError:
        return DISABLED


def parse_config_mode(text: str) -> int:
    """The SELINUX= setting of /etc/selinux/config as an enforce mode."""
    for raw in text.split("\n"):
        line = go_trim_space(raw)
        if not line or line[0] in ";#":
            continue
        match = _ASSIGNMENT.fullmatch(line)
        if match and go_trim_space(match.group(1)) == "SELINUX":
            value = go_trim_space(match.group(2)).strip('"')
            return {"enforcing": ENFORCING, "permissive": PERMISSIVE}.get(value, DISABLED)
    return DISABLED
