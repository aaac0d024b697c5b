"""btrfs: filesystems from /sys/fs/btrfs/<uuid>, and per-device error counters by ioctl.

Allocation, commit and device sizes come from sysfs. Like node_exporter, the
collector also asks every mounted btrfs filesystem (found in PID 1's
mountinfo, opened below --path.rootfs) for its devices with the
BTRFS_IOC_FS_INFO, BTRFS_IOC_DEV_INFO and BTRFS_IOC_GET_DEV_STATS ioctls;
where that works the device series carry btrfs_dev_uuid and come with unused
bytes and error counters, otherwise the device sizes come from sysfs.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pyexporter import fs
from pyexporter.metrics import NAMESPACE, Families, MetricFamily, counter, gauge
from pyexporter.procfs.mountinfo import parse_btrfs_mounts
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.btrfs import read_btrfs_stats

log = logging.getLogger(__name__)

#: The inode number of every btrfs subvolume root, and so of every btrfs mount point.
BTRFS_SUBVOLUME_INO = 256

_IOC_WRITE, _IOC_READ = 1, 2
_BTRFS_IOCTL_MAGIC = 0x94
_FS_INFO_SIZE, _DEV_INFO_SIZE, _DEV_STATS_SIZE = 1024, 4096, 1032


def _ioc(direction: int, nr: int, size: int) -> int:
    return (direction << 30) | (size << 16) | (_BTRFS_IOCTL_MAGIC << 8) | nr


BTRFS_IOC_FS_INFO = _ioc(_IOC_READ, 31, _FS_INFO_SIZE)
BTRFS_IOC_DEV_INFO = _ioc(_IOC_READ | _IOC_WRITE, 30, _DEV_INFO_SIZE)
BTRFS_IOC_GET_DEV_STATS = _ioc(_IOC_READ | _IOC_WRITE, 52, _DEV_STATS_SIZE)
#: struct btrfs_ioctl_dev_info_args: devid, uuid[16], bytes_used, total_bytes, 379 spare u64, path[1024].
_DEV_INFO_PATH_OFFSET = 8 + 16 + 8 + 8 + 379 * 8
#: The five counters of btrfs_dev_stat_values, in the kernel's order.
DEV_STAT_NAMES = ("write", "read", "flush", "corruption", "generation")


@dataclass(frozen=True, slots=True)
class IoctlDevice:
    path: str
    uuid: str
    bytes_used: int
    total_bytes: int
    errors: tuple[int, ...]


def format_uuid(raw: bytes) -> str:
    """A device UUID as dennwc/btrfs prints it (node_exporter's btrfs_dev_uuid label)."""
    if not any(raw):
        return "<zero>"
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def decode_fs_info(buf: bytes) -> tuple[int, int, str]:
    """(max device id, number of devices, fsid as hex) from struct btrfs_ioctl_fs_info_args."""
    max_id, num_devices = struct.unpack_from("<QQ", buf, 0)
    return max_id, num_devices, bytes(buf[16:32]).hex()


def decode_dev_info(buf: bytes) -> tuple[str, int, int, str]:
    """(device uuid, bytes used, total bytes, device path) from struct btrfs_ioctl_dev_info_args."""
    uuid = format_uuid(bytes(buf[8:24]))
    bytes_used, total_bytes = struct.unpack_from("<QQ", buf, 24)
    path = bytes(buf[_DEV_INFO_PATH_OFFSET:_DEV_INFO_PATH_OFFSET + 1024]).split(b"\0", 1)[0]
    return uuid, bytes_used, total_bytes, path.decode("utf-8", "replace")


def decode_dev_stats(buf: bytes) -> tuple[int, ...]:
    """The five error counters from struct btrfs_ioctl_get_dev_stats."""
    return struct.unpack_from("<5Q", buf, 24)


IoctlFunc = Callable[[int, int, bytearray], object]


def query_filesystem(fd: int, ioctl: IoctlFunc) -> tuple[str, list[IoctlDevice]]:
    """(fsid hex, devices) of the btrfs filesystem open as fd; OSError when a query fails."""
    buf = bytearray(_FS_INFO_SIZE)
    ioctl(fd, BTRFS_IOC_FS_INFO, buf)
    max_id, num_devices, fsid = decode_fs_info(buf)
    devices: list[IoctlDevice] = []
    for devid in range(max_id + 1):
        info = bytearray(_DEV_INFO_SIZE)
        struct.pack_into("<Q", info, 0, devid)
        try:
            ioctl(fd, BTRFS_IOC_DEV_INFO, info)
        except OSError as exc:
            if exc.errno == errno.ENODEV:
                # Device ids need not start at 0 nor be contiguous.
                continue
            raise
        stats = bytearray(_DEV_STATS_SIZE)
        struct.pack_into("<QQQ", stats, 0, devid, len(DEV_STAT_NAMES), 0)
        ioctl(fd, BTRFS_IOC_GET_DEV_STATS, stats)
        uuid, used, total, path = decode_dev_info(info)
        devices.append(IoctlDevice(path, uuid, used, total, decode_dev_stats(stats)))
        if len(devices) == num_devices:
            break
    return fsid, devices


@register
class BtrfsCollector(Collector):
    name = "btrfs"

    def __init__(self, settings: Settings, ioctl: IoctlFunc = fcntl.ioctl) -> None:
        super().__init__(settings)
        self.ioctl = ioctl
        sub = f"{NAMESPACE}_btrfs"
        self.info = gauge(f"{sub}_info", "Filesystem information", "uuid", "label")
        self.global_rsv = gauge(f"{sub}_global_rsv_size_bytes", "Size of global reserve.", "uuid")
        self.commits = counter(f"{sub}_commits_total", "The total number of commits that have occurred.",
                               "uuid")
        self.last_commit = gauge(f"{sub}_last_commit_seconds",
                                 "Duration of the most recent commit, in seconds.", "uuid")
        self.max_commit = gauge(f"{sub}_max_commit_seconds", "Duration of the slowest commit, in seconds.",
                                "uuid")
        self.commit_total = counter(f"{sub}_commit_seconds_total",
                                    "Sum of the duration of all commits, in seconds.", "uuid")
        self.reserved = gauge(f"{sub}_reserved_bytes", "Amount of space reserved for a data type",
                              "uuid", "block_group_type")
        layout = ("uuid", "block_group_type", "mode")
        self.used = gauge(f"{sub}_used_bytes", "Amount of used space by a layout/data type", *layout)
        self.size = gauge(f"{sub}_size_bytes", "Amount of space allocated for a layout/data type", *layout)
        self.ratio = gauge(f"{sub}_allocation_ratio", "Data allocation ratio for a layout/data type", *layout)
        # Sizes found by ioctl carry btrfs_dev_uuid too (added per sample).
        self.device_size = gauge(f"{sub}_device_size_bytes",
                                 "Size of a device that is part of the filesystem.", "uuid", "device")
        self.device_unused = gauge(f"{sub}_device_unused_bytes",
                                   "Unused bytes unused on a device that is part of the filesystem.",
                                   "uuid", "device", "btrfs_dev_uuid")
        self.device_errors = counter(f"{sub}_device_errors_total", "Errors reported for the device",
                                     "uuid", "type", "device", "btrfs_dev_uuid")

    def collect(self) -> Iterator[MetricFamily]:
        base = self.roots.sys("fs", "btrfs")
        filesystems = []
        for name in fs.list_dir(base):
            path = fs.resolve_dir(os.path.join(base, name)) if "-" in name else None
            if path is not None:
                filesystems.append(read_btrfs_stats(path, name))
        by_fsid = self._ioctl_stats() if filesystems else {}
        fams = Families()
        fam = fams.of
        for s in filesystems:
            uuid = s.uuid
            fam(self.info).add(1, uuid, s.label)
            fam(self.global_rsv).add(s.global_rsv_size, uuid)
            fam(self.commits).add(s.commits, uuid)
            fam(self.last_commit).add(s.last_commit_ms / 1000, uuid)
            fam(self.max_commit).add(s.max_commit_ms / 1000, uuid)
            fam(self.commit_total).add(s.total_commit_ms / 1000, uuid)
            for group, alloc in s.allocation.items():
                fam(self.reserved).add(alloc.reserved_bytes, uuid, group)
                for mode, usage in alloc.layouts.items():
                    fam(self.used).add(usage.used_bytes, uuid, group, mode)
                    fam(self.size).add(usage.total_bytes, uuid, group, mode)
                    fam(self.ratio).add(usage.ratio, uuid, group, mode)
            devices = by_fsid.get(uuid.replace("-", ""))
            if devices is None:
                for device, size in s.device_sizes.items():
                    fam(self.device_size).add(size, uuid, device)
                continue
            for dev in devices:
                name = os.path.basename(dev.path)
                sizes = fam(self.device_size)
                sizes.add_sample(sizes.name, {"uuid": uuid, "device": name, "btrfs_dev_uuid": dev.uuid},
                                 dev.total_bytes)
                fam(self.device_unused).add((dev.total_bytes - dev.bytes_used) & ((1 << 64) - 1),
                                            uuid, name, dev.uuid)
                for error_type, value in zip(DEV_STAT_NAMES, dev.errors, strict=True):
                    fam(self.device_errors).add(value, uuid, error_type, name, dev.uuid)
        yield from fams.values()

    def _ioctl_stats(self) -> dict[str, list[IoctlDevice]]:
        """Devices of each mounted btrfs filesystem by fsid (hex); {} where ioctls are not possible."""
        mountinfo = fs.read_optional_text(self.roots.proc("1", "mountinfo"))
        if mountinfo is None:
            # /proc/1 is hidden with hidepid: fall back to our own mounts.
            mountinfo = fs.read_optional_text(self.roots.proc("self", "mountinfo"))
        if mountinfo is None:
            return {}
        out: dict[str, list[IoctlDevice]] = {}
        done: set[str] = set()
        for source, mount_point in parse_btrfs_mounts(mountinfo):
            if source in done:
                continue
            path = self.roots.root(self.roots.strip_rootfs(mount_point))
            try:
                fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC | os.O_NONBLOCK)
            except OSError as exc:
                log.debug("btrfs: cannot open mount point %s: %s", path, exc)
                continue
            try:
                if os.fstat(fd).st_ino != BTRFS_SUBVOLUME_INO:
                    continue
                fsid, devices = query_filesystem(fd, self.ioctl)
            except OSError as exc:
                log.debug("btrfs: device stats of %s: %s", path, exc)
                continue
            finally:
                os.close(fd)
            if fsid in out:
                continue
            done.add(source)
            out[fsid] = devices
        return out
