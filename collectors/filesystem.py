"""filesystem: size, free space and inodes of every mounted filesystem (statfs).

Mounts come from <procfs>/1/mountinfo (the host's mount table when the
exporter shares the host PID namespace), or <procfs>/self/mountinfo where
/proc/1 is hidden (hidepid). Each mount point is statfs'ed below
--path.rootfs and labelled as the host sees it, so that inside a DaemonSet
with --path.rootfs=/host/root the labels read `/`, `/var`, ...

statfs on a dead NFS server blocks in the kernel, uninterruptibly. The calls
run on a small pool of worker threads owned by the collector
(pyexporter.workers, as the scrape engine's collectors); one that has not
returned within --collector.filesystem.mount-timeout leaves its mount with
device_error="mountpoint timeout", the scrape goes on, and later scrapes skip
that mount without waiting until the stuck call has returned (node_exporter's
stuck-mount tracking). The stuck thread is written off and replaced, so a dead
mount never costs more than the one thread blocked in it.
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pyexporter.errors import ConfigError
from pyexporter.filters import DeviceFilter
from pyexporter.flags import DeprecatedAlias, DurationFlag, IntFlag, RegexFlag, SetWhen
from pyexporter.fs import read_file
from pyexporter.golang.errno import go_errno_text
from pyexporter.metrics import NAMESPACE, Desc, MetricFamily, build_name, gauge
from pyexporter.procfs.mountinfo import MountInfo, parse_major_minor, parse_mountinfo, unescape_mount_point
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.workers import Job, WorkerPool

log = logging.getLogger(__name__)

DEFAULT_MOUNT_POINTS_EXCLUDE = (
    "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)"
)
DEFAULT_FS_TYPES_EXCLUDE = (
    "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|"
    "mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$"
)
MOUNT_TIMEOUT_LABEL = "mountpoint timeout"

_LABELS = ("device", "mountpoint", "fstype", "device_error")


def _label_text(value: str) -> str:
    """Label values must be valid UTF-8; paths read with surrogateescape may not be."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return value


@dataclass(slots=True)
class _Mount:
    device: str
    mount_point: str
    fs_type: str
    major: str
    minor: str
    read_only: bool
    stat_path: str


@dataclass(eq=False, slots=True)
class _StatCall:
    """One statfs call on the pool; `finished` is guarded by the collector's lock."""

    path: str
    mount_point: str
    job: Job | None = None
    finished: bool = False
    result: Any = None
    error: BaseException | None = None


MOUNT_POINTS_EXCLUDE = RegexFlag(
    "collector.filesystem.mount-points-exclude",
    "Regexp of mount points to exclude for filesystem collector. "
    "(mutually exclusive to mount-points-include)",
    DEFAULT_MOUNT_POINTS_EXCLUDE,
    alias=DeprecatedAlias("collector.filesystem.ignored-mount-points", SetWhen.GIVEN))
MOUNT_POINTS_INCLUDE = RegexFlag(
    "collector.filesystem.mount-points-include",
    "Regexp of mount points to include for filesystem collector. "
    "(mutually exclusive to mount-points-exclude)")
FS_TYPES_EXCLUDE = RegexFlag(
    "collector.filesystem.fs-types-exclude",
    "Regexp of filesystem types to exclude for filesystem collector. "
    "(mutually exclusive to fs-types-include)",
    DEFAULT_FS_TYPES_EXCLUDE,
    alias=DeprecatedAlias("collector.filesystem.ignored-fs-types", SetWhen.GIVEN))
# node_exporter's help text says "exclude" for the include flag too; kept verbatim.
FS_TYPES_INCLUDE = RegexFlag(
    "collector.filesystem.fs-types-include",
    "Regexp of filesystem types to exclude for filesystem collector. "
    "(mutually exclusive to fs-types-exclude)")
MOUNT_TIMEOUT = DurationFlag("collector.filesystem.mount-timeout",
                             "how long to wait for a mount to respond before marking it as stale", "5s")
STAT_WORKERS = IntFlag("collector.filesystem.stat-workers",
                       "how many stat calls to process simultaneously", 4)


@register
class FilesystemCollector(Collector):
    name = "filesystem"
    flags = (MOUNT_POINTS_EXCLUDE, MOUNT_POINTS_INCLUDE, FS_TYPES_EXCLUDE, FS_TYPES_INCLUDE, MOUNT_TIMEOUT,
             STAT_WORKERS)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.mount_point_filter = _filter(settings, MOUNT_POINTS_EXCLUDE, MOUNT_POINTS_INCLUDE)
        self.fs_type_filter = _filter(settings, FS_TYPES_EXCLUDE, FS_TYPES_INCLUDE)
        self.mount_timeout = settings[MOUNT_TIMEOUT]
        if self.mount_timeout <= 0:
            raise ConfigError("--collector.filesystem.mount-timeout must be positive")
        workers = max(settings[STAT_WORKERS], 1)

        def desc(name: str, help: str) -> Desc:
            return gauge(build_name(NAMESPACE, "filesystem", name), help, *_LABELS)

        self.size_desc = desc("size_bytes", "Filesystem size in bytes.")
        self.free_desc = desc("free_bytes", "Filesystem free space in bytes.")
        self.avail_desc = desc("avail_bytes", "Filesystem space available to non-root users in bytes.")
        self.files_desc = desc("files", "Filesystem total file nodes.")
        self.files_free_desc = desc("files_free", "Filesystem total free file nodes.")
        self.readonly_desc = desc("readonly", "Filesystem read-only status.")
        self.device_error_desc = desc(
            "device_error", "Whether an error occurred while getting statistics for the given device.")
        self.mount_info_desc = gauge(build_name(NAMESPACE, "filesystem", "mount_info"),
                                     "Filesystem mount information.",
                                     "device", "major", "minor", "mountpoint")

        #: The statfs implementation; tests replace it.
        self.statfs: Callable[[str], Any] = os.statvfs
        self._lock = threading.Lock()
        #: Mount points (label values) whose statfs has not returned within the timeout.
        self._stuck: set[str] = set()
        self._pool = WorkerPool("filesystem-statfs", workers)

    # -- mount table -----------------------------------------------------------------

    def _read_mountinfo(self) -> list[MountInfo]:
        try:
            data = read_file(self.roots.proc("1", "mountinfo"))
        except FileNotFoundError:
            # /proc/1 is hidden (hidepid) or absent: node_exporter falls back to its own view.
            log.debug("reading root mounts failed, falling back to self mounts")
            data = read_file(self.roots.proc("self", "mountinfo"))
        return parse_mountinfo(data)

    def mounts(self) -> list[_Mount]:
        """Mounts that pass the filters, labelled as node_exporter labels them."""
        out = []
        for info in self._read_mountinfo():
            # node_exporter checks major:minor of every line before filtering.
            major, minor = parse_major_minor(info.major_minor)
            host_path = self.roots.strip_rootfs(unescape_mount_point(info.mount_point))
            mount_point = _label_text(host_path)
            fs_type = _label_text(info.fs_type)
            if self.mount_point_filter.ignored(mount_point):
                log.debug("ignoring mount point %s", mount_point)
                continue
            if self.fs_type_filter.ignored(fs_type):
                log.debug("ignoring fs type %s", fs_type)
                continue
            out.append(_Mount(
                device=_label_text(info.source),
                mount_point=mount_point,
                fs_type=fs_type,
                major=major,
                minor=minor,
                # Per-mount or superblock `ro` (node_exporter 1.12).
                read_only=info.options.get("ro") == "" or info.super_options.get("ro") == "",
                stat_path=self.roots.root(host_path),
            ))
        return out

    # -- statfs on the pool ------------------------------------------------------------

    def _statfs(self, task: _StatCall) -> None:
        result: Any = None
        error: BaseException | None = None
        try:
            result = self.statfs(task.path)
        except ValueError:
            # A NUL in the path: Go's syscall layer refuses it with EINVAL.
            error = OSError(errno.EINVAL, os.strerror(errno.EINVAL), task.path)
        except BaseException as exc:  # handed to the collecting thread, never lost
            error = exc
        with self._lock:
            task.result, task.error = result, error
            task.finished = True
            if task.mount_point in self._stuck:
                self._stuck.discard(task.mount_point)
                log.info("mount point has recovered, monitoring will resume", extra={
                    "mountpoint": task.mount_point})

    def _await(self, task: _StatCall, queued_ahead: int) -> bool:
        """True when the call returned in time; False marks the mount stuck."""
        job = task.job
        assert job is not None
        # Every call ahead of this one either returns or is written off (and its
        # thread replaced) within the timeout, so this bound is only a safety net.
        if not job.started.wait(self.mount_timeout * (queued_ahead + 1) + 1.0):
            if self._pool.cancel(job):
                return False
            job.started.wait()
        remaining = job.started_at + self.mount_timeout - time.monotonic()
        if job.done.wait(max(remaining, 0.0)):
            return True
        with self._lock:
            if task.finished:
                return True
            self._stuck.add(task.mount_point)
        log.warning("statfs did not return in time; the mount point is skipped until it does", extra={
            "mountpoint": task.mount_point, "timeout": f"{self.mount_timeout:g}s"})
        self._pool.write_off(job)
        return False

    # -- collect -----------------------------------------------------------------------

    def collect(self) -> Iterator[MetricFamily]:
        mounts = self.mounts()
        tasks: list[_StatCall | None] = []
        with self._lock:
            stuck = set(self._stuck)
        for mount in mounts:
            if mount.mount_point in stuck:
                log.debug("mount point is in an unresponsive state", extra={"mountpoint": mount.mount_point})
                tasks.append(None)
                continue
            task = _StatCall(mount.stat_path, mount.mount_point)
            task.job = self._pool.submit(functools.partial(self._statfs, task))
            tasks.append(task)

        device_error = self.device_error_desc.family()
        readonly = self.readonly_desc.family()
        size = self.size_desc.family()
        free = self.free_desc.family()
        avail = self.avail_desc.family()
        files = self.files_desc.family()
        files_free = self.files_free_desc.family()
        mount_info = self.mount_info_desc.family()
        seen: set[tuple[str, ...]] = set()
        for ahead, (mount, task) in enumerate(zip(mounts, tasks, strict=True)):
            stat = None
            if task is None or not self._await(task, ahead):
                # As node_exporter reports a stuck mount: an error and nothing else known.
                error_text, ro = MOUNT_TIMEOUT_LABEL, False
            elif task.error is not None:
                if not isinstance(task.error, OSError):
                    raise task.error
                error_text, ro = go_errno_text(task.error), mount.read_only
                log.debug("error on statfs() system call", extra={
                    "rootfs": mount.stat_path, "err": error_text})
            else:
                error_text, ro, stat = "", mount.read_only, task.result
            key = (mount.device, mount.mount_point, mount.fs_type, error_text, mount.major, mount.minor)
            if key in seen:
                continue  # the same filesystem mounted twice at one place
            seen.add(key)
            labels = (mount.device, mount.mount_point, mount.fs_type, error_text)
            device_error.add(0.0 if stat is not None else 1.0, *labels)
            readonly.add(1.0 if ro else 0.0, *labels)
            if stat is None:
                continue
            bsize = float(stat.f_bsize)
            size.add(float(stat.f_blocks) * bsize, *labels)
            free.add(float(stat.f_bfree) * bsize, *labels)
            avail.add(float(stat.f_bavail) * bsize, *labels)
            files.add(float(stat.f_files), *labels)
            files_free.add(float(stat.f_ffree), *labels)
            mount_info.add(1.0, mount.device, mount.major, mount.minor, mount.mount_point)
        yield from (device_error, readonly, size, free, avail, files, files_free, mount_info)


def _filter(settings: Settings, exclude_flag: RegexFlag, include_flag: RegexFlag) -> DeviceFilter:
    """node_exporter's include/exclude rules (the exclude flag's deprecated alias resolved)."""
    exclude, include = settings[exclude_flag], settings[include_flag]
    if not include_flag.is_empty(include) and not settings.given(exclude_flag):
        # An include pattern replaces the exclude default, not an exclude pattern given on the
        # command line (even one given as the default); the deprecated alias does not count as given.
        log.debug("%s flag not set when %s flag is set, assuming include is desired",
                  exclude_flag.name, include_flag.name)
        exclude = None
    if not exclude_flag.is_empty(exclude) and not include_flag.is_empty(include):
        raise ConfigError(f"--{exclude_flag.name} and --{include_flag.name} are mutually exclusive")
    return DeviceFilter(exclude, include)
