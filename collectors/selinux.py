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
import threading
from collections.abc import Iterator

from pyexporter.errors import ParseError
from pyexporter.fs import read_file, read_optional_text, read_text
from pyexporter.metrics import NAMESPACE, MetricFamily, counter, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import read_uint_file
from pyexporter.sysfs.selinux import (
    DISABLED,
    parse_avc_cache_stats,
    parse_avc_hash_stats,
    parse_config_mode,
    parse_enforce,
)

log = logging.getLogger(__name__)


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

    def collect(self) -> Iterator[MetricFamily]:
        selinuxfs = self._selinuxfs()
        if selinuxfs is None or self._process_label() == "kernel":
            yield self.enabled.one(0)
            return
        config = read_optional_text(self.roots.root("etc", "selinux", "config"))
        try:
            enforce = parse_enforce(read_text(os.path.join(selinuxfs, "enforce")))
        except (OSError, ParseError):
            enforce = DISABLED
        yield self.enabled.one(1)
        yield self.config_mode.one(parse_config_mode(config) if config is not None else DISABLED)
        yield self.current_mode.one(enforce)
        # Each AVC file's values are sent before the next file is read.
        avc = os.path.join(selinuxfs, "avc")
        cache = parse_avc_cache_stats(read_text(os.path.join(avc, "cache_stats")))
        yield from (desc.one(cache[name]) for name, desc in self.avc_counters.items())
        hashes = parse_avc_hash_stats(read_text(os.path.join(avc, "hash_stats")))
        yield from (desc.one(hashes[name]) for name, desc in self.avc_hash.items())
        yield self.avc_threshold.one(read_uint_file(os.path.join(avc, "cache_threshold")))

