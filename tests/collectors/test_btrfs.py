import errno
import os
import struct
import uuid as uuidlib

from pyexporter.collectors.btrfs import (
    BTRFS_IOC_DEV_INFO,
    BTRFS_IOC_FS_INFO,
    BTRFS_IOC_GET_DEV_STATS,
    BtrfsCollector,
    format_uuid,
    query_filesystem,
)
from tests.support import collect_text, make_collector, make_settings, samples, symlink, write_tree

UUID = "0abb23a9-579b-43e6-ad30-227ef47fcb9d"
FS = f"sys/fs/btrfs/{UUID}"


def tree(tmp_path):
    files = {
        f"{FS}/label": "fixture\n",
        f"{FS}/metadata_uuid": f"{UUID}\n",
        f"{FS}/allocation/global_rsv_size": "16777216\n",
        f"{FS}/allocation/data/bytes_reserved": "7\n",
        f"{FS}/allocation/data/raid5/total_bytes": "2147483648\n",
        f"{FS}/allocation/data/raid5/used_bytes": "808189952\n",
        f"{FS}/allocation/metadata/bytes_reserved": "junk\n",
        f"{FS}/allocation/metadata/dup/total_bytes": "1073741824\n",
        # Unreadable attribute: reads as 0, as procfs treats a value it cannot parse.
        f"{FS}/allocation/metadata/dup/used_bytes/": None,
        f"{FS}/allocation/system/raid1c3/total_bytes": "8388608\n",
        f"{FS}/commit_stats": ("commits 258051\nlast_commit_ms 1000\nmax_commit_ms 51462\n"
                               "total_commit_ms 47836090\n"),
        "sys/devices/virtual/block/loop25/size": "20971520\n",
        "sys/devices/virtual/block/loop26/size": "41943040\n",
        "sys/devices/virtual/block/loop27/size": "8\n",
    }
    write_tree(tmp_path, files)
    for dev in ("loop25", "loop26", "loop27"):
        symlink(tmp_path, f"{FS}/devices/{dev}", f"../../../../devices/virtual/block/{dev}")
    symlink(tmp_path, f"{FS}/devices/loop28", "../../../../devices/virtual/block/gone")


def s(name, **labels):
    labels.setdefault("uuid", UUID)
    return name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


COMMON = {
    s("node_btrfs_info", label="fixture"): 1,
    s("node_btrfs_global_rsv_size_bytes"): 16777216,
    s("node_btrfs_commits_total"): 258051,
    s("node_btrfs_last_commit_seconds"): 1,
    s("node_btrfs_max_commit_seconds"): 51.462,
    s("node_btrfs_commit_seconds_total"): 47836.09,
    s("node_btrfs_reserved_bytes", block_group_type="data"): 7,
    s("node_btrfs_reserved_bytes", block_group_type="metadata"): 0,
    s("node_btrfs_reserved_bytes", block_group_type="system"): 0,
    s("node_btrfs_used_bytes", block_group_type="data", mode="raid5"): 808189952,
    s("node_btrfs_size_bytes", block_group_type="data", mode="raid5"): 2147483648,
    # Four device entries (one a broken link): raid5 stores 4 bytes per 3.
    s("node_btrfs_allocation_ratio", block_group_type="data", mode="raid5"): 4 / 3,
    s("node_btrfs_used_bytes", block_group_type="metadata", mode="dup"): 0,
    s("node_btrfs_size_bytes", block_group_type="metadata", mode="dup"): 1073741824,
    s("node_btrfs_allocation_ratio", block_group_type="metadata", mode="dup"): 2,
    s("node_btrfs_used_bytes", block_group_type="system", mode="raid1c3"): 0,
    s("node_btrfs_size_bytes", block_group_type="system", mode="raid1c3"): 8388608,
    s("node_btrfs_allocation_ratio", block_group_type="system", mode="raid1c3"): 0,
}


def test_btrfs_sysfs(tmp_path):
    tree(tmp_path)
    got = samples(make_collector("btrfs", tmp_path).collect())
    assert got == {
        **COMMON,
        s("node_btrfs_device_size_bytes", device="loop25"): 10737418240,
        s("node_btrfs_device_size_bytes", device="loop26"): 21474836480,
        s("node_btrfs_device_size_bytes", device="loop27"): 4096,
        s("node_btrfs_device_size_bytes", device="loop28"): 0,
    }


def test_btrfs_help(tmp_path):
    tree(tmp_path)
    text = collect_text(make_collector("btrfs", tmp_path))
    assert "# HELP node_btrfs_info Filesystem information\n# TYPE node_btrfs_info gauge\n" in text


def test_btrfs_without_commit_stats_and_uuid(tmp_path):
    write_tree(tmp_path, {"sys/fs/btrfs/aaaa-bbbb/label": "\n", "sys/fs/btrfs/features/x": "1\n"})
    got = samples(make_collector("btrfs", tmp_path).collect())
    assert got == {
        'node_btrfs_info{label="",uuid="aaaa-bbbb"}': 1,
        'node_btrfs_global_rsv_size_bytes{uuid="aaaa-bbbb"}': 0,
        'node_btrfs_commits_total{uuid="aaaa-bbbb"}': 0,
        'node_btrfs_last_commit_seconds{uuid="aaaa-bbbb"}': 0,
        'node_btrfs_max_commit_seconds{uuid="aaaa-bbbb"}': 0,
        'node_btrfs_commit_seconds_total{uuid="aaaa-bbbb"}': 0,
    }


class FakeBtrfs:
    """Answers the three btrfs ioctls for a filesystem with devices 1 and 3."""

    def __init__(self, fsid: str) -> None:
        self.fsid = uuidlib.UUID(fsid).bytes
        self.calls: list[int] = []

    def __call__(self, fd: int, request: int, buf: bytearray) -> int:
        self.calls.append(request)
        if request == BTRFS_IOC_FS_INFO:
            struct.pack_into("<QQ16s", buf, 0, 3, 2, self.fsid)
        elif request == BTRFS_IOC_DEV_INFO:
            devid = struct.unpack_from("<Q", buf, 0)[0]
            if devid not in (1, 3):
                raise OSError(errno.ENODEV, "No such device")
            dev_uuid = bytes(range(devid, devid + 16))
            struct.pack_into("<16sQQ", buf, 8, dev_uuid, 1000 * devid, 5000 * devid)
            struct.pack_into("1024s", buf, 3072, f"/dev/sd{'abc'[devid - 1]}".encode())
        elif request == BTRFS_IOC_GET_DEV_STATS:
            devid = struct.unpack_from("<Q", buf, 0)[0]
            assert struct.unpack_from("<Q", buf, 8)[0] == 5
            struct.pack_into("<5Q", buf, 24, devid, 0, 0, 2, 9)
        else:
            raise OSError(errno.ENOTTY, "not a btrfs ioctl")
        return 0


def test_query_filesystem():
    fake = FakeBtrfs(UUID)
    fsid, devices = query_filesystem(-1, fake)
    assert fsid == UUID.replace("-", "")
    assert [(d.path, d.bytes_used, d.total_bytes, d.errors) for d in devices] == [
        ("/dev/sda", 1000, 5000, (1, 0, 0, 2, 9)), ("/dev/sdc", 3000, 15000, (3, 0, 0, 2, 9))]
    assert devices[0].uuid == "01020304-0506-0708-090a-0b0c0d0e0f10"


def test_btrfs_ioctl_device_stats(tmp_path, monkeypatch):
    tree(tmp_path)
    mount = tmp_path / "srv" / "my data"
    mount.mkdir(parents=True)
    write_tree(tmp_path, {"proc/1/mountinfo": (
        "22 1 0:21 / /proc rw - proc proc rw\n"
        "95 1 0:50 / /srv/my\\040data rw,relatime shared:40 - btrfs /dev/sda rw,space_cache=v2\n"
        "96 1 0:50 / /srv/again rw,relatime - btrfs /dev/sda rw\n")})
    # Mount points are subvolume roots (inode 256); this test directory stands in for one.
    monkeypatch.setattr("pyexporter.collectors.btrfs.BTRFS_SUBVOLUME_INO", os.stat(mount).st_ino)
    fake = FakeBtrfs(UUID)
    collector = BtrfsCollector(make_settings(tmp_path), ioctl=fake)
    got = samples(collector.collect())
    assert fake.calls.count(BTRFS_IOC_FS_INFO) == 1
    expected = dict(COMMON)
    for dev, devid in (("sda", 1), ("sdc", 3)):
        dev_uuid = format_uuid(bytes(range(devid, devid + 16)))
        labels = {"device": dev, "btrfs_dev_uuid": dev_uuid}
        expected[s("node_btrfs_device_size_bytes", **labels)] = 5000 * devid
        expected[s("node_btrfs_device_unused_bytes", **labels)] = 4000 * devid
        for error_type, value in zip(("write", "read", "flush", "corruption", "generation"),
                                     (devid, 0, 0, 2, 9), strict=True):
            expected[s("node_btrfs_device_errors_total", type=error_type, **labels)] = value
    assert got == expected


def test_btrfs_ioctl_not_btrfs(tmp_path):
    tree(tmp_path)
    (tmp_path / "data").mkdir()
    write_tree(tmp_path, {"proc/self/mountinfo": "95 1 0:50 / /data rw - btrfs /dev/sda rw\n"})
    fake = FakeBtrfs(UUID)
    got = samples(BtrfsCollector(make_settings(tmp_path), ioctl=fake).collect())
    assert fake.calls == []  # not a subvolume root: never asked
    assert s("node_btrfs_device_size_bytes", device="loop25") in got


def test_format_uuid():
    assert format_uuid(bytes(16)) == "<zero>"
    assert format_uuid(uuidlib.UUID(UUID).bytes) == UUID
