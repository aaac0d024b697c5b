"""bcachefs: filesystems under /sys/fs/bcachefs/<uuid> and their member devices.

Sizes are human-readable ("2.05G", "48.9G") and decoded as prometheus/procfs
decodes them: a binary multiplier, the product truncated to an integer.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from pyexporter import fs
from pyexporter.errors import NoDataError
from pyexporter.golang.strconv import parse_uint
from pyexporter.metrics import NAMESPACE, Desc, Families, MetricFamily, counter, gauge, sanitize_metric_name
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import read_parsed, read_value, valid_utf8
from pyexporter.sysfs.bcachefs import (
    parse_btree_write_stats,
    parse_compression_stats,
    parse_counter,
    parse_errors,
    parse_human_bytes,
    parse_io_done,
    parse_io_errors,
)

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Device:
    label: str = ""
    state: str = ""
    bucket_size: int = 0
    buckets: int = 0
    durability: int = 0
    io_done: dict[str, dict[str, int]] = field(default_factory=dict)
    io_errors: dict[str, int] = field(default_factory=dict)


@register
class BcachefsCollector(Collector):
    name = "bcachefs"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        sub = f"{NAMESPACE}_bcachefs"
        self.sub = sub
        self.info = gauge(f"{sub}_info", "Filesystem information.", "uuid")
        self.btree_cache = gauge(f"{sub}_btree_cache_size_bytes", "Btree cache memory usage in bytes.",
                                 "uuid")
        self.compressed = gauge(f"{sub}_compression_compressed_bytes", "Compressed size by algorithm.",
                                "uuid", "algorithm")
        self.uncompressed = gauge(f"{sub}_compression_uncompressed_bytes", "Uncompressed size by algorithm.",
                                  "uuid", "algorithm")
        self.errors = counter(f"{sub}_errors_total", "Error count by error type.", "uuid", "error_type")
        self.btree_writes = counter(f"{sub}_btree_writes_total", "Number of btree writes by type.",
                                    "uuid", "type")
        self.btree_write_size = gauge(f"{sub}_btree_write_average_size_bytes",
                                      "Average btree write size by type.", "uuid", "type")
        self.device_info = gauge(f"{sub}_device_info", "Device information.",
                                 "uuid", "device", "label", "state")
        self.bucket_size = gauge(f"{sub}_device_bucket_size_bytes", "Bucket size in bytes.", "uuid", "device")
        self.buckets = gauge(f"{sub}_device_buckets", "Total number of buckets.", "uuid", "device")
        self.durability = gauge(f"{sub}_device_durability", "Device durability setting.", "uuid", "device")
        self.io_done = counter(f"{sub}_device_io_done_bytes_total",
                               "IO bytes by operation type and data type.",
                               "uuid", "device", "operation", "data_type")
        # Counter names come from the kernel's counters/ directory; their
        # descriptors are made on first sight and kept.
        self.counter_descs: dict[str, Desc] = {}
        self.io_errors = counter(f"{sub}_device_io_errors_total", "IO errors by error type.",
                                 "uuid", "device", "type")

    def collect(self) -> Iterator[MetricFamily]:
        base = self.roots.sys("fs", "bcachefs")
        if not fs.is_dir(base):
            raise NoDataError("no /sys/fs/bcachefs")
        filesystems = [e.name for e in fs.scan_dir(base) if e.is_dir(follow_symlinks=False)]
        if not filesystems:
            # node_exporter reports no data rather than an empty success.
            raise NoDataError("no bcachefs filesystem mounted")
        fams = {d.name: d.family() for d in (
            self.info, self.btree_cache, self.compressed, self.uncompressed, self.errors, self.btree_writes,
            self.btree_write_size, self.device_info, self.bucket_size, self.buckets, self.durability,
            self.io_done, self.io_errors)}
        counters = Families()
        for uuid in filesystems:
            self._filesystem(os.path.join(base, uuid), uuid, fams, counters)
        yield from fams.values()
        yield from counters.values()

    def _filesystem(self, path: str, uuid: str, fams: dict[str, MetricFamily],
                    counters: Families) -> None:
        fams[self.info.name].add(1, uuid)
        cache = read_parsed(os.path.join(path, "btree_cache_size"), parse_human_bytes)
        fams[self.btree_cache.name].add(cache or 0, uuid)
        for algorithm, (compressed, uncompressed) in (
                read_parsed(os.path.join(path, "compression_stats"), parse_compression_stats) or {}).items():
            fams[self.compressed.name].add(compressed, uuid, algorithm)
            fams[self.uncompressed.name].add(uncompressed, uuid, algorithm)
        for error_type, count in (read_parsed(os.path.join(path, "errors"), parse_errors) or {}).items():
            fams[self.errors.name].add(count, uuid, error_type)
        counters_dir = os.path.join(path, "counters")
        for entry in fs.scan_dir(counters_dir):
            if entry.is_dir(follow_symlinks=False):
                continue
            value = read_parsed(os.path.join(counters_dir, entry.name), parse_counter)
            if value is None:
                continue
            desc = self.counter_descs.get(entry.name)
            if desc is None:
                desc = self.counter_descs[entry.name] = counter(
                    f"{self.sub}_{sanitize_metric_name(entry.name)}_total",
                    f"Bcachefs counter {entry.name} since filesystem creation.", "uuid")
            counters.of(desc).add(value, uuid)
        writes = read_parsed(os.path.join(path, "btree_write_stats"), parse_btree_write_stats) or {}
        for write_type, (count, size) in writes.items():
            fams[self.btree_writes.name].add(count, uuid, write_type)
            fams[self.btree_write_size.name].add(size, uuid, write_type)
        for entry in fs.scan_dir(path):
            if entry.name.startswith("dev-") and entry.is_dir(follow_symlinks=False):
                self._device(os.path.join(path, entry.name), uuid, entry.name[len("dev-"):], fams)

    def _device(self, path: str, uuid: str, device: str, fams: dict[str, MetricFamily]) -> None:
        dev = Device(
            label=valid_utf8(read_value(os.path.join(path, "label"), None) or ""),
            state=valid_utf8(read_value(os.path.join(path, "state"), None) or ""),
            bucket_size=read_parsed(os.path.join(path, "bucket_size"), parse_human_bytes) or 0,
            buckets=read_parsed(os.path.join(path, "nbuckets"), lambda t: parse_uint(t.strip())) or 0,
            durability=read_parsed(os.path.join(path, "durability"), lambda t: parse_uint(t.strip())) or 0,
            io_done=read_parsed(os.path.join(path, "io_done"), parse_io_done) or {},
            io_errors=read_parsed(os.path.join(path, "io_errors"), parse_io_errors) or {},
        )
        fams[self.device_info.name].add(1, uuid, device, dev.label, dev.state)
        fams[self.bucket_size.name].add(dev.bucket_size, uuid, device)
        fams[self.buckets.name].add(dev.buckets, uuid, device)
        fams[self.durability.name].add(dev.durability, uuid, device)
        for operation, by_type in dev.io_done.items():
            for data_type, value in by_type.items():
                fams[self.io_done.name].add(value, uuid, device, operation, data_type)
        for error_type, value in dev.io_errors.items():
            fams[self.io_errors.name].add(value, uuid, device, error_type)
