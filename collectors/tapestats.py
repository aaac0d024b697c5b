"""tapestats: SCSI tape drive statistics from /sys/class/scsi_tape/st*/stats."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator

from pyexporter.errors import NoDataError, raise_if_parts_failed
from pyexporter.flags import RegexFlag
from pyexporter.fs import link_loop_error, list_dir, resolve_dir
from pyexporter.metrics import NAMESPACE, Desc, MetricFamily, counter, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import read_value, valid_utf8
from pyexporter.sysfs.tape import parse_counters

log = logging.getLogger(__name__)

#: Only st<N>; the nst<N>, st<N>a/l/m entries are other views of the same drive.
_DEVICE = re.compile(r"^st[0-9]+$")


IGNORED_DEVICES = RegexFlag("collector.tapestats.ignored-devices",
                            "Regexp of devices to ignore for tapestats.", "^$")


@register
class TapestatsCollector(Collector):
    name = "tapestats"
    flags = (IGNORED_DEVICES,)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.ignored = settings[IGNORED_DEVICES] or re.compile("")
        p = f"{NAMESPACE}_tape_"
        # (desc, counter, scale) in node_exporter's order; times are nanoseconds.
        self.metrics: tuple[tuple[Desc, str, float], ...] = (
            (gauge(p + "io_now", "The number of I/Os currently outstanding to this device.", "device"),
             "in_flight", 1.0),
            (counter(p + "io_time_seconds_total",
                     "The amount of time spent waiting for all I/O to complete (including read and write). "
                     "This includes tape movement commands such as seeking between file or set marks and "
                     "implicit tape movement such as when rewind on close tape devices are used.", "device"),
             "io_ns", 0.000000001),
            (counter(p + "io_others_total",
                     "The number of I/Os issued to the tape drive other than read or write commands. The "
                     "time taken to complete these commands uses the following calculation "
                     "io_time_seconds_total-read_time_seconds_total-write_time_seconds_total", "device"),
             "other_cnt", 1.0),
            (counter(p + "read_bytes_total", "The number of bytes read from the tape drive.", "device"),
             "read_byte_cnt", 1.0),
            (counter(p + "reads_completed_total", "The number of read requests issued to the tape drive.",
                     "device"), "read_cnt", 1.0),
            (counter(p + "read_time_seconds_total",
                     "The amount of time spent waiting for read requests to complete.", "device"),
             "read_ns", 0.000000001),
            (counter(p + "residual_total",
                     "The number of times during a read or write we found the residual amount to be "
                     "non-zero. This should mean that a program is issuing a read larger thean the block "
                     "size on tape. For write not all data made it to tape.", "device"),
             "resid_cnt", 1.0),
            (counter(p + "written_bytes_total", "The number of bytes written to the tape drive.", "device"),
             "write_byte_cnt", 1.0),
            (counter(p + "writes_completed_total", "The number of write requests issued to the tape drive.",
                     "device"), "write_cnt", 1.0),
            (counter(p + "write_time_seconds_total",
                     "The amount of time spent waiting for write requests to complete.", "device"),
             "write_ns", 0.000000001),
        )

    def collect(self) -> Iterator[MetricFamily]:
        class_dir = self.roots.sys("class", "scsi_tape")
        if not os.path.isdir(class_dir):
            raise NoDataError(f"{class_dir} does not exist")
        families = [(desc.family(), name, scale) for desc, name, scale in self.metrics]
        failures: list[str] = []
        for device in list_dir(class_dir):
            if not _DEVICE.match(device) or self.ignored.search(device):
                continue
            path = resolve_dir(os.path.join(class_dir, device))
            stats = None if path is None else resolve_dir(os.path.join(path, "stats"))
            if stats is None:
                # A loop of links is broken input (node_exporter fails on it): reported, not hidden.
                loop = link_loop_error(os.path.join(class_dir, device, "stats"))
                if loop is not None:
                    failures.append(loop)
                    continue
                log.debug("tapestats: %s has no stats directory", device)
                continue
            values = {}
            for name in list_dir(stats):
                value = read_value(os.path.join(stats, name))
                if value is not None:
                    values[name] = value
            counters = parse_counters(values)
            label = valid_utf8(device)
            for family, name, scale in families:
                family.add(counters[name] if scale == 1.0 else counters[name] * scale, label)
        yield from (family for family, _, _ in families)
        raise_if_parts_failed(failures)
