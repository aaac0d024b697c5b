import errno
import os
import threading
import time
from types import SimpleNamespace

import pytest

from pyexporter.collectors.filesystem import DEFAULT_MOUNT_POINTS_EXCLUDE
from pyexporter.errors import ConfigError, ParseError
from tests.procfs.test_mountinfo import ROOT_LINE
from tests.support import make_collector, samples, write_tree

# -- the collector ----------------------------------------------------------------------------

MOUNTINFO = """\
24 29 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
25 29 0:23 / /proc rw,nosuid,nodev,noexec,relatime shared:13 - proc proc rw
26 29 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev rw,size=7978892k,mode=755
28 29 0:25 / /run rw,nosuid,relatime shared:5 - tmpfs tmpfs rw,size=1617716k,mode=755
29 1 259:2 / / rw,relatime shared:1 - ext4 /dev/dm-2 errors=remount-ro,data=ordered
33 24 0:28 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
40 29 8:1 / /boot ro,relatime shared:30 - ext2 /dev/sda1 rw
41 29 8:2 / /data rw,relatime shared:31 - xfs /dev/sda2 ro,attr2
42 29 0:40 / /var/lib/docker/overlay2/abc/merged rw,relatime - overlay overlay rw
43 29 0:41 / /mnt/my\\040disk rw,relatime - vfat /dev/sdb1 rw
44 28 0:45 / /run/user/1000 rw,nosuid,nodev,relatime - tmpfs tmpfs rw,size=1617712k
"""


def fake_stat(blocks=100, bfree=40, bavail=30, files=1000, ffree=900, bsize=4096):
    return SimpleNamespace(f_bsize=bsize, f_frsize=bsize, f_blocks=blocks, f_bfree=bfree, f_bavail=bavail,
                           f_files=files, f_ffree=ffree, f_favail=ffree, f_flag=0, f_namemax=255)


class StubStatfs:
    """statfs by path relative to the fixture root; records every call."""

    def __init__(self, root, results=None):
        self.root = str(root).rstrip("/")
        self.results = results or {}
        self.calls = []
        self.lock = threading.Lock()

    def __call__(self, path):
        rel = "/" + os.path.relpath(path, self.root).lstrip(".").lstrip("/")
        with self.lock:
            self.calls.append(rel)
        result = self.results.get(rel, fake_stat())
        if callable(result):
            result = result()
        if isinstance(result, BaseException):
            raise result
        return result


def fs_collector(tmp_path, mountinfo=MOUNTINFO, *flags, results=None, where="proc/1/mountinfo"):
    write_tree(tmp_path, {where: mountinfo})
    collector = make_collector("filesystem", tmp_path, *flags)
    collector.statfs = StubStatfs(tmp_path, results)
    return collector


def labels(device, mountpoint, fstype, error=""):
    return f'device="{device}",device_error="{error}",fstype="{fstype}",mountpoint="{mountpoint}"'


def test_default_filters_and_values(tmp_path):
    collector = fs_collector(tmp_path)
    got = samples(collector.collect())
    mounts = {key.split("{", 1)[1] for key in got if key.startswith("node_filesystem_size_bytes")}
    # /sys, /proc, /dev by mount point; sysfs, proc, devtmpfs, overlay by type; docker by path.
    assert mounts == {
        labels("tmpfs", "/run", "tmpfs") + "}",
        labels("/dev/dm-2", "/", "ext4") + "}",
        labels("/dev/sda1", "/boot", "ext2") + "}",
        labels("/dev/sda2", "/data", "xfs") + "}",
        labels("/dev/sdb1", "/mnt/my disk", "vfat") + "}",
        labels("tmpfs", "/run/user/1000", "tmpfs") + "}",
    }
    root = labels("/dev/dm-2", "/", "ext4")
    assert got[f"node_filesystem_size_bytes{{{root}}}"] == 100 * 4096
    assert got[f"node_filesystem_free_bytes{{{root}}}"] == 40 * 4096
    assert got[f"node_filesystem_avail_bytes{{{root}}}"] == 30 * 4096
    assert got[f"node_filesystem_files{{{root}}}"] == 1000
    assert got[f"node_filesystem_files_free{{{root}}}"] == 900
    assert got[f"node_filesystem_device_error{{{root}}}"] == 0
    assert got['node_filesystem_mount_info{device="/dev/dm-2",major="259",minor="2",mountpoint="/"}'] == 1
    info = 'node_filesystem_mount_info{device="/dev/sdb1",major="0",minor="41",mountpoint="/mnt/my disk"}'
    assert got[info] == 1


def test_readonly_from_mount_or_superblock_options(tmp_path):
    got = samples(fs_collector(tmp_path).collect())
    assert got[f"node_filesystem_readonly{{{labels('/dev/dm-2', '/', 'ext4')}}}"] == 0
    assert got[f"node_filesystem_readonly{{{labels('/dev/sda1', '/boot', 'ext2')}}}"] == 1  # per mount
    assert got[f"node_filesystem_readonly{{{labels('/dev/sda2', '/data', 'xfs')}}}"] == 1  # superblock


def test_help_and_type(tmp_path):
    families = {f.name: f for f in fs_collector(tmp_path).collect()}
    assert families["node_filesystem_size_bytes"].help == "Filesystem size in bytes."
    assert families["node_filesystem_device_error"].help == (
        "Whether an error occurred while getting statistics for the given device.")
    assert families["node_filesystem_mount_info"].help == "Filesystem mount information."
    assert all(f.type == "gauge" for f in families.values())


def test_statfs_is_called_below_rootfs(tmp_path):
    collector = fs_collector(tmp_path)
    list(collector.collect())
    assert sorted(collector.statfs.calls) == sorted(
        ["/run", "/", "/boot", "/data", "/mnt/my disk", "/run/user/1000"])


def test_mount_points_include_replaces_default_exclude(tmp_path):
    collector = fs_collector(tmp_path, MOUNTINFO,
                             "--collector.filesystem.mount-points-include=^/(proc|boot)$",
                             "--collector.filesystem.fs-types-exclude=^$")
    got = samples(collector.collect())
    assert {k for k in got if k.startswith("node_filesystem_size_bytes")} == {
        f"node_filesystem_size_bytes{{{labels('proc', '/proc', 'proc')}}}",
        f"node_filesystem_size_bytes{{{labels('/dev/sda1', '/boot', 'ext2')}}}",
    }


def test_fs_types_include(tmp_path):
    collector = fs_collector(tmp_path, MOUNTINFO, "--collector.filesystem.fs-types-include=^xfs$")
    got = samples(collector.collect())
    assert [k for k in got if k.startswith("node_filesystem_size_bytes")] == [
        f"node_filesystem_size_bytes{{{labels('/dev/sda2', '/data', 'xfs')}}}"]


def test_exclude_flags(tmp_path):
    collector = fs_collector(tmp_path, MOUNTINFO, "--collector.filesystem.mount-points-exclude=^/(run|boot)",
                             "--collector.filesystem.fs-types-exclude=^(ext4|tmpfs)$")
    got = samples(collector.collect())
    assert {k.split('mountpoint="')[1] for k in got if k.startswith("node_filesystem_size_bytes")} == {
        '/data"}', '/mnt/my disk"}', '/proc"}', '/sys"}', '/dev"}',
        '/var/lib/docker/overlay2/abc/merged"}'}


def test_an_include_flag_replaces_the_deprecated_alias_too(tmp_path):
    # node_exporter: the alias does not mark the exclude flag as set, so an include flag clears it.
    collector = fs_collector(tmp_path, MOUNTINFO, "--collector.filesystem.ignored-mount-points=^/boot$",
                             "--collector.filesystem.mount-points-include=^/(boot|data)$")
    got = samples(collector.collect())
    points = {k.split('mountpoint="')[1] for k in got if k.startswith("node_filesystem_size_bytes")}
    assert points == {'/boot"}', '/data"}'}


def test_deprecated_alias(tmp_path):
    collector = fs_collector(tmp_path, MOUNTINFO, "--collector.filesystem.ignored-mount-points=^/boot$",
                             "--collector.filesystem.ignored-fs-types=^xfs$")
    got = samples(collector.collect())
    points = {k.split('mountpoint="')[1] for k in got if k.startswith("node_filesystem_size_bytes")}
    assert '/boot"}' not in points and '/data"}' not in points and '/proc"}' in points


@pytest.mark.parametrize(
    "flags",
    [
        ("--collector.filesystem.mount-points-exclude=^/x",
         "--collector.filesystem.mount-points-include=^/y"),
        ("--collector.filesystem.fs-types-exclude=^x$", "--collector.filesystem.fs-types-include=^y$"),
        ("--collector.filesystem.mount-points-exclude=^/x",
         "--collector.filesystem.ignored-mount-points=^/y"),
        ("--collector.filesystem.fs-types-exclude=^x$", "--collector.filesystem.ignored-fs-types=^y$"),
        # Given at its default value, the flag is still given (kingpin's PreAction), as node_exporter.
        (f"--collector.filesystem.mount-points-exclude={DEFAULT_MOUNT_POINTS_EXCLUDE}",
         "--collector.filesystem.ignored-mount-points=^/y"),
        (f"--collector.filesystem.mount-points-exclude={DEFAULT_MOUNT_POINTS_EXCLUDE}",
         "--collector.filesystem.mount-points-include=^/y"),
    ],
)
def test_mutually_exclusive_flags(tmp_path, flags):
    with pytest.raises(ConfigError, match="mutually exclusive"):
        fs_collector(tmp_path, MOUNTINFO, *flags)


def test_rootfs_prefix_is_stripped(tmp_path):
    host = tmp_path / "host" / "root"
    mountinfo = (
        f"1 0 8:1 / {host} rw - ext4 /dev/sda1 rw\n"
        f"2 1 8:2 / {host}/var rw - ext4 /dev/sda2 rw\n"
        "3 1 0:5 / /etc/hosts rw - ext4 /dev/vda rw\n"
    )
    write_tree(tmp_path, {"proc/1/mountinfo": mountinfo})
    from pyexporter.cli import parse_args
    from pyexporter.loader import load_collectors

    settings = parse_args([f"--path.procfs={tmp_path / 'proc'}", f"--path.rootfs={host}"])
    collector = load_collectors()["filesystem"](settings)
    calls = []
    collector.statfs = lambda path: calls.append(path) or fake_stat()
    got = samples(collector.collect())
    assert {k.split('mountpoint="')[1] for k in got if k.startswith("node_filesystem_size_bytes")} == {
        '/"}', '/var"}', '/etc/hosts"}'}
    assert sorted(os.path.normpath(c) for c in calls) == sorted(
        [str(host), str(host / "var"), str(host / "etc" / "hosts")])


def test_falls_back_to_self_mountinfo(tmp_path):
    collector = fs_collector(tmp_path, ROOT_LINE + "\n", where="proc/self/mountinfo")
    assert samples(collector.collect())[f"node_filesystem_size_bytes{{{labels('/dev/dm-2', '/', 'ext4')}}}"]


def test_missing_mountinfo_fails_the_collector(tmp_path):
    collector = make_collector("filesystem", tmp_path)
    with pytest.raises(FileNotFoundError):
        list(collector.collect())


def test_empty_mountinfo(tmp_path):
    assert samples(fs_collector(tmp_path, "").collect()) == {}


def test_malformed_mountinfo_fails_the_collector(tmp_path):
    with pytest.raises(ParseError):
        list(fs_collector(tmp_path, ROOT_LINE + "\n1 0 8:1 / /x rw ext4\n").collect())
    with pytest.raises(ParseError):
        list(fs_collector(tmp_path, "1 0 nope / /x rw - ext4 /dev/sda1 rw\n").collect())


def test_duplicate_mounts_are_reported_once(tmp_path):
    mountinfo = ROOT_LINE + "\n" + ROOT_LINE.replace("29 1", "30 29") + "\n"
    collector = fs_collector(tmp_path, mountinfo)
    families = {f.name: f for f in collector.collect()}
    assert len(families["node_filesystem_size_bytes"].samples) == 1
    assert len(families["node_filesystem_readonly"].samples) == 1


def test_permission_error_marks_only_that_mount(tmp_path):
    denied = PermissionError(errno.EACCES, "Permission denied")
    collector = fs_collector(tmp_path, results={"/data": denied})
    got = samples(collector.collect())
    data = labels("/dev/sda2", "/data", "xfs", "permission denied")
    assert got[f"node_filesystem_device_error{{{data}}}"] == 1
    assert got[f"node_filesystem_readonly{{{data}}}"] == 1
    assert not any('mountpoint="/data"' in k for k in got if "readonly" not in k and "device_error" not in k)
    assert got[f"node_filesystem_size_bytes{{{labels('/dev/dm-2', '/', 'ext4')}}}"] == 100 * 4096


def test_nul_in_mount_point_is_a_device_error(tmp_path):
    write_tree(tmp_path, {"proc/1/mountinfo": b"1 0 8:1 / /a\x00b rw - ext4 /dev/sda1 rw\n"})
    got = samples(make_collector("filesystem", tmp_path).collect())
    assert got['node_filesystem_device_error{device="/dev/sda1",device_error="invalid argument",'
               'fstype="ext4",mountpoint="/a\x00b"}'] == 1


def test_stuck_mount_times_out_and_is_skipped_until_it_returns(tmp_path):
    release = threading.Event()

    def hang():
        release.wait(30)
        return fake_stat(blocks=7)

    collector = fs_collector(tmp_path, MOUNTINFO, "--collector.filesystem.mount-timeout=200ms",
                             "--collector.filesystem.stat-workers=1", results={"/data": hang})
    stub = collector.statfs
    try:
        got = samples(collector.collect())
        timeout = labels("/dev/sda2", "/data", "xfs", "mountpoint timeout")
        assert got[f"node_filesystem_device_error{{{timeout}}}"] == 1
        assert got[f"node_filesystem_readonly{{{timeout}}}"] == 0
        # The other mounts were served, even with a single worker stuck in /data.
        assert got[f"node_filesystem_size_bytes{{{labels('/dev/sda1', '/boot', 'ext2')}}}"] == 100 * 4096
        user = labels("tmpfs", "/run/user/1000", "tmpfs")
        assert got[f"node_filesystem_size_bytes{{{user}}}"] == 100 * 4096
        assert stub.calls.count("/data") == 1

        # While the call is stuck, a scrape does not call statfs for it again.
        got = samples(collector.collect())
        assert got[f"node_filesystem_device_error{{{timeout}}}"] == 1
        assert stub.calls.count("/data") == 1
        assert stub.calls.count("/boot") == 2
    finally:
        release.set()
    deadline = time.monotonic() + 10
    while collector._stuck and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not collector._stuck
    got = samples(collector.collect())
    assert got[f"node_filesystem_size_bytes{{{labels('/dev/sda2', '/data', 'xfs')}}}"] == 7 * 4096
    assert stub.calls.count("/data") == 2


def test_stat_pool_stays_bounded(tmp_path):
    collector = fs_collector(tmp_path, MOUNTINFO, "--collector.filesystem.stat-workers=2")
    before = threading.active_count()
    for _ in range(3):
        list(collector.collect())
    assert threading.active_count() - before <= 2
