"""bcache: cache sets from /sys/fs/bcache/<uuid>, their backing and cache devices.

Values are printed by the kernel's bch_hprint ("1.1M", "20.4G") and decoded
as prometheus/procfs decodes them, including its reading of the fraction.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator

from pyexporter import fs
from pyexporter.flags import BoolFlag
from pyexporter.metrics import NAMESPACE, Desc, Families, MetricFamily, counter, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import read_parsed
from pyexporter.sysfs.bcache import dehumanize, parse_priority_stats, parse_writeback_rate_debug

log = logging.getLogger(__name__)


#: Files of /sys/fs/bcache/<uuid> and its internal/ directory -> metric, HELP, type.
SET_VALUES: tuple[tuple[str, str, str, str], ...] = (
    ("average_key_size", "average_key_size_sectors", "Average data per key in the btree (sectors).", "gauge"),
    ("btree_cache_size", "btree_cache_size_bytes", "Amount of memory currently used by the btree cache.",
     "gauge"),
    ("cache_available_percent", "cache_available_percent",
     "Percentage of cache device without dirty data, usable for writeback (may contain clean cached data).",
     "gauge"),
    ("congested", "congested", "Congestion.", "gauge"),
    ("root_usage_percent", "root_usage_percent",
     "Percentage of the root btree node in use (tree depth increases if too high).", "gauge"),
    ("tree_depth", "tree_depth", "Depth of the btree.", "gauge"),
    ("internal/active_journal_entries", "active_journal_entries",
     "Number of journal entries that are newer than the index.", "gauge"),
    ("internal/btree_nodes", "btree_nodes", "Total nodes in the btree.", "gauge"),
    ("internal/cache_read_races", "cache_read_races_total",
     "Counts instances where while data was being read from the cache, the bucket was reused and "
     "invalidated - i.e. where the pointer was stale after the read completed.", "counter"),
)

#: Files of a backing device's stats_total/ -> metric, HELP (all counters).
PERIOD_STATS: tuple[tuple[str, str, str], ...] = (
    ("bypassed", "bypassed_bytes_total", "Amount of IO (both reads and writes) that has bypassed the cache."),
    ("cache_hits", "cache_hits_total", "Hits counted per individual IO as bcache sees them."),
    ("cache_misses", "cache_misses_total", "Misses counted per individual IO as bcache sees them."),
    ("cache_bypass_hits", "cache_bypass_hits_total", "Hits for IO intended to skip the cache."),
    ("cache_bypass_misses", "cache_bypass_misses_total", "Misses for IO intended to skip the cache."),
    ("cache_miss_collisions", "cache_miss_collisions_total",
     "Instances where data insertion from cache miss raced with write (data already present)."),
    ("cache_readaheads", "cache_readaheads_total", "Count of times readahead occurred."),
)

#: WritebackRateDebug field -> metric, HELP (all gauges).
WRITEBACK: tuple[tuple[str, str, str], ...] = (
    ("target", "dirty_target_bytes", "Current dirty data target threshold for this backing device in bytes."),
    ("rate", "writeback_rate", "Current writeback rate for this backing device in bytes."),
    ("proportional", "writeback_rate_proportional_term",
     "Current result of proportional controller, part of writeback rate"),
    ("integral", "writeback_rate_integral_term",
     "Current result of integral controller, part of writeback rate"),
    ("change", "writeback_change", "Last writeback rate change step for this backing device."),
)

#: Files of a cache device -> metric, HELP, type.
CACHE_VALUES: tuple[tuple[str, str, str, str], ...] = (
    ("io_errors", "io_errors", "Number of errors that have occurred, decayed by io_error_halflife.", "gauge"),
    ("metadata_written", "metadata_written_bytes_total",
     "Sum of all non data writes (btree writes and all other metadata).", "counter"),
    ("written", "written_bytes_total", "Sum of all data that has been written to the cache.", "counter"),
)


#: Returns the scrape's family for a descriptor, creating it on first use.
FamilyFor = Callable[[Desc], MetricFamily]


def _desc(metric: str, help_text: str, kind: str, *labels: str) -> Desc:
    make = counter if kind == "counter" else gauge
    return make(f"{NAMESPACE}_bcache_{metric}", help_text, *labels)


PRIORITY_STATS = BoolFlag("collector.bcache.priorityStats", "Expose expensive priority stats.")


@register
class BcacheCollector(Collector):
    name = "bcache"
    flags = (PRIORITY_STATS,)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.priority_stats = settings[PRIORITY_STATS]
        self.set_values = [(f, _desc(m, h, k, "uuid")) for f, m, h, k in SET_VALUES]
        self.read_duration = gauge(f"{NAMESPACE}_bcache_btree_read_average_duration_seconds",
                                   "Average btree read duration.", "uuid")
        bdev = ("uuid", "backing_device")
        self.dirty_data = gauge(f"{NAMESPACE}_bcache_dirty_data_bytes",
                                "Amount of dirty data for this backing device in the cache.", *bdev)
        self.writeback = [(f, _desc(m, h, "gauge", *bdev)) for f, m, h in WRITEBACK]
        self.period = [(f, _desc(m, h, "counter", *bdev)) for f, m, h in PERIOD_STATS]
        cache = ("uuid", "cache_device")
        self.cache_values = [(f, _desc(m, h, k, *cache)) for f, m, h, k in CACHE_VALUES]
        self.unused = gauge(f"{NAMESPACE}_bcache_priority_stats_unused_percent",
                            "The percentage of the cache that doesn't contain any data.", *cache)
        self.metadata = gauge(f"{NAMESPACE}_bcache_priority_stats_metadata_percent",
                              "Bcache's metadata overhead.", *cache)
        self.bdev_re = re.compile(r"bdev[0-9]", re.ASCII)
        self.cache_re = re.compile(r"cache[0-9]", re.ASCII)

    def collect(self) -> Iterator[MetricFamily]:
        fams = Families()
        family = fams.of
        base = self.roots.sys("fs", "bcache")
        for uuid in fs.list_dir(base):
            # The cache sets are the "*-*" entries beside register/register_quiet.
            path = fs.resolve_dir(os.path.join(base, uuid)) if "-" in uuid else None
            if path is None:
                continue
            for file, desc in self.set_values:
                self._value(family(desc), os.path.join(path, file), uuid)
            us = read_parsed(os.path.join(path, "internal", "btree_read_average_duration_us"), dehumanize)
            if us is not None:
                # procfs stores the microseconds in a field named nanoseconds, and
                # node_exporter scales that by 1e-9: kept for identical output.
                family(self.read_duration).add(us * 1e-9, uuid)
            for entry in fs.list_dir(path):
                if self.bdev_re.match(entry):
                    self._backing_device(family, path, uuid, entry)
                elif self.cache_re.match(entry):
                    self._cache_device(family, path, uuid, entry)
        yield from fams.values()

    def _backing_device(self, family: FamilyFor, set_path: str, uuid: str, name: str) -> None:
        path = fs.resolve_dir(os.path.join(set_path, name))
        if path is None:
            return
        self._value(family(self.dirty_data), os.path.join(path, "dirty_data"), uuid, name)
        debug = read_parsed(os.path.join(path, "writeback_rate_debug"), parse_writeback_rate_debug)
        if debug is not None:
            for field, desc in self.writeback:
                family(desc).add(getattr(debug, field), uuid, name)
        for file, desc in self.period:
            self._value(family(desc), os.path.join(path, "stats_total", file), uuid, name)

    def _cache_device(self, family: FamilyFor, set_path: str, uuid: str, name: str) -> None:
        path = fs.resolve_dir(os.path.join(set_path, name))
        if path is None:
            return
        for file, desc in self.cache_values:
            self._value(family(desc), os.path.join(path, file), uuid, name)
        if not self.priority_stats:
            return
        # priority_stats walks every bucket of the cache: read only when asked to.
        stats = read_parsed(os.path.join(path, "priority_stats"), parse_priority_stats)
        if stats is not None:
            family(self.unused).add(stats[0], uuid, name)
            family(self.metadata).add(stats[1], uuid, name)

    def _value(self, fam: MetricFamily, path: str, *labels: str) -> None:
        value = read_parsed(path, dehumanize)
        if value is not None:
            fam.add(value, *labels)
