"""dmmultipath: device-mapper multipath devices and their paths, from /sys/block/dm-*.

A dm device is a multipath map when its dm/uuid starts with "mpath-"; its
paths are the entries of its slaves/ directory, each with the state of the
underlying SCSI or NVMe device.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from pyexporter import fs
from pyexporter.errors import NoDataError
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import read_uint, read_value, valid_utf8

log = logging.getLogger(__name__)

SECTOR_SIZE = 512
#: Path states of a usable path: SCSI "running", NVMe "live".
ACTIVE_STATES = frozenset({"running", "live"})
#: Reported for a path whose device state cannot be read (a path device that
#: went away, a driver without the attribute); such a path counts as failed.
UNKNOWN_STATE = "unknown"


@register
class DMMultipathCollector(Collector):
    name = "dmmultipath"
    # node_exporter 1.12.1 runs it without --collector.dmmultipath (its output
    # in the conformance suite reports it), so it is on by default here too.
    default_enabled = True

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        sub = f"{NAMESPACE}_dmmultipath"
        device = ("device", "sysfs_name")
        self.info = gauge(f"{sub}_device_info", "Non-numeric information about a DM-multipath device.",
                          "device", "sysfs_name", "uuid")
        self.active = gauge(f"{sub}_device_active",
                            "Whether the multipath device-mapper device is active (1) or suspended (0).",
                            *device)
        self.size = gauge(f"{sub}_device_size_bytes",
                          "Size of the multipath device in bytes, read from /sys/block/<dm>/size.", *device)
        self.paths = gauge(f"{sub}_device_paths", "Number of paths for a multipath device.", *device)
        self.paths_active = gauge(
            f"{sub}_device_paths_active",
            "Number of paths in active state (SCSI running or NVMe live) for a multipath device.", *device)
        self.paths_failed = gauge(f"{sub}_device_paths_failed",
                                  "Number of paths not in active state for a multipath device.", *device)
        self.path_state = gauge(
            f"{sub}_path_state",
            "Reports the underlying device state for a multipath path, "
            "as read from /sys/block/<dev>/device/state.",
            "device", "path", "state")

    def collect(self) -> Iterator[MetricFamily]:
        block = self.roots.sys("block")
        if not fs.is_dir(block):
            raise NoDataError("no /sys/block")
        info, active, size, paths, paths_active, paths_failed, path_state = (
            d.family() for d in (self.info, self.active, self.size, self.paths, self.paths_active,
                                 self.paths_failed, self.path_state))
        for sysfs_name in fs.list_dir(block):
            if not sysfs_name.startswith("dm-"):
                continue
            dm = os.path.join(block, sysfs_name, "dm")
            uuid = read_value(os.path.join(dm, "uuid"), None)
            if uuid is None or not uuid.startswith("mpath-"):
                continue
            name = read_value(os.path.join(dm, "name"), None)
            suspended = read_uint(os.path.join(dm, "suspended"))
            sectors = read_uint(os.path.join(block, sysfs_name, "size"))
            if name is None or suspended is None or sectors is None:
                log.debug("dmmultipath: %s lacks a readable dm/name, dm/suspended or size", sysfs_name)
                continue
            name, uuid = valid_utf8(name), valid_utf8(uuid)
            info.add(1, name, sysfs_name, uuid)
            active.add(0 if suspended == 1 else 1, name, sysfs_name)
            size.add(sectors * SECTOR_SIZE, name, sysfs_name)
            n_active = n_failed = 0
            for path in fs.list_dir(os.path.join(block, sysfs_name, "slaves")):
                state = read_value(os.path.join(block, path, "device", "state"), None) or UNKNOWN_STATE
                state = valid_utf8(state)
                if state in ACTIVE_STATES:
                    n_active += 1
                else:
                    n_failed += 1
                path_state.add(1, name, path, state)
            paths.add(n_active + n_failed, name, sysfs_name)
            paths_active.add(n_active, name, sysfs_name)
            paths_failed.add(n_failed, name, sysfs_name)
        yield from (info, active, size, paths, paths_active, paths_failed, path_state)
