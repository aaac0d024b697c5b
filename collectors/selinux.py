"""selinux: SELinux state, modes and AVC statistics.

node_exporter asks go-selinux, which looks at the host's own /sys/fs/selinux,
/proc/thread-self/attr/current and /etc/selinux/config whatever the path
flags say. Here the same files are read below the configured roots, so a
--path.sysfs/--path.procfs/--path.rootfs pointing at the host gives the host's
state: selinuxfs is mounted when <sysfs>/fs/selinux/enforce exists on a
writable mount, and SELinux is enabled when it is mounted and the process label
is not "kernel".
"""

from __future__ import annotations

import logging
import os
import re
import threading

from pyexporter.errors import ParseError
from pyexporter.fs import read_file, read_optional_text, read_text
from pyexporter.golang.strconv import parse_int, parse_uint
from pyexporter.golang.strings import go_lines, go_trim_space
from pyexporter.metrics import NAMESPACE, MetricFamily, counter, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import read_uint_file

log = logging.getLogger(__name__)

ENFORCING, PERMISSIVE, DISABLED = 1, 0, -1

_NUMBER = re.compile(r"[0-9]+")
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


@register
class SelinuxCollector(Collector):
    name = "selinux"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        s = f"{NAMESPACE}_selinux"
        self.config_mode = gauge(f"{s}_config_mode", "Configured SELinux enforcement mode")
        self.current_mode = gauge(f"{s}_current_mode", "Current SELinux enforcement mode")
        self.enabled = gauge(f"{s}_enabled", "SELinux is enabled, 1 is true, 0 is false")
        self.avc_counters = {
            "allocations": counter(f"{s}_avc_allocations_total", "SELinux AVC allocations"),
            "frees": counter(f"{s}_avc_frees_total", "SELinux AVC frees"),
            "hits": counter(f"{s}_avc_hits_total", "SELinux AVC hits"),
            "lookups": counter(f"{s}_avc_lookups_total", "SELinux AVC lookups"),
            "misses": counter(f"{s}_avc_misses_total", "SELinux AVC misses"),
            "reclaims": counter(f"{s}_avc_reclaims_total", "SELinux AVC reclaims"),
        }
        self.avc_hash = {
            "buckets_available": gauge(
                f"{s}_avc_hash_buckets_available", "SELinux AVC hash buckets available"),
            "buckets_used": gauge(f"{s}_avc_hash_buckets_used", "SELinux AVC hash buckets used"),
            "entries": gauge(f"{s}_avc_hash_entries", "SELinux AVC hash entries"),
            "longest_chain": gauge(f"{s}_avc_hash_longest_chain", "SELinux AVC hash longest chain"),
        }
        self.avc_threshold = gauge(f"{s}_avc_threshold", "SELinux AVC threshold")

    def _selinuxfs(self) -> str | None:
        path = self.roots.sys("fs", "selinux")
        if not os.path.isfile(os.path.join(path, "enforce")):
            return None
        try:
            # go-selinux ignores a read-only selinuxfs (as containers get it).
            if os.statvfs(path).f_flag & os.ST_RDONLY:
                return None
        except OSError:
            return None
        return path

    def _process_label(self) -> str:
        proc = self.roots.proc()
        # go-selinux reads the label of the calling thread (/proc/thread-self needs Linux 3.17).
        thread_self = os.path.join(proc, "thread-self", "attr")
        if os.path.isdir(thread_self):
            path = os.path.join(thread_self, "current")
        else:
            path = os.path.join(proc, "self", "task", str(threading.get_native_id()), "attr", "current")
        try:
            data = read_file(path)
        except (OSError, ParseError):
            return ""
        return data.removesuffix(b"\x00").decode("utf-8", "replace")

    def collect(self) -> list[MetricFamily]:
        selinuxfs = self._selinuxfs()
        if selinuxfs is None or self._process_label() == "kernel":
            return [self.enabled.one(0)]
        config = read_optional_text(self.roots.root("etc", "selinux", "config"))
        try:
            enforce = parse_enforce(read_text(os.path.join(selinuxfs, "enforce")))
        except (OSError, ParseError):
            enforce = DISABLED
        out = [
            self.enabled.one(1),
            self.config_mode.one(parse_config_mode(config) if config is not None else DISABLED),
            self.current_mode.one(enforce),
        ]
        avc = os.path.join(selinuxfs, "avc")
        cache = parse_avc_cache_stats(read_text(os.path.join(avc, "cache_stats")))
        out.extend(desc.one(cache[name]) for name, desc in self.avc_counters.items())
        hashes = parse_avc_hash_stats(read_text(os.path.join(avc, "hash_stats")))
        out.extend(desc.one(hashes[name]) for name, desc in self.avc_hash.items())
        threshold = read_uint_file(os.path.join(avc, "cache_threshold"))
        out.append(self.avc_threshold.one(threshold))
        return out

