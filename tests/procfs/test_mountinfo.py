"""/proc/<pid>/mountinfo's parsers, as tables of cases."""

import os

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.mountinfo import (
    MountInfo,
    parse_btrfs_mounts,
    parse_major_minor,
    parse_mountinfo,
    parse_mountinfo_line,
    unescape_mount_point,
)
from tests.support import parser_tests

ROOT_LINE = "29 1 259:2 / / rw,relatime shared:1 - ext4 /dev/dm-2 errors=remount-ro,data=ordered"


def test_parse_mountinfo_line():
    (mount,) = parse_mountinfo((ROOT_LINE + "\n").encode())
    assert mount == MountInfo(
        mount_id=29, parent_id=1, major_minor="259:2", root="/", mount_point="/",
        options={"rw": "", "relatime": ""}, optional_fields={"shared": "1"}, fs_type="ext4",
        source="/dev/dm-2", super_options={"errors": "remount-ro", "data": "ordered"},
    )


@pytest.mark.parametrize(
    ("line", "check"),
    [
        # No optional fields: exactly ten fields.
        ("22 27 0:21 / /proc rw,relatime - proc proc rw",
         lambda m: (m.mount_point, m.fs_type, m.source, m.optional_fields) == ("/proc", "proc", "proc", {})),
        # Several optional fields; unknown tags are dropped.
        ("36 35 98:0 /mnt1 /mnt/parent rw master:1 shared:2 weird:3 - ext3 /dev/root rw",
         lambda m: m.optional_fields == {"master": "1", "shared": "2"}),
        # Options: a later key wins, `a=b=c` keeps b.
        ("1 0 8:1 / /x ro,ro=1 - ext4 /dev/sda1 a=b=c",
         lambda m: m.options == {"ro": "1"} and m.super_options == {"a": "b"}),
        # Escapes are returned as written.
        ("1 0 8:1 / /mnt/my\\040disk rw - ext4 /dev/sda1 rw",
         lambda m: m.mount_point == "/mnt/my\\040disk"),
        # A trailing CR is dropped as bufio.Scanner drops it.
        ("1 0 8:1 / /x rw - ext4 /dev/sda1 rw\r", lambda m: m.super_options == {"rw": ""}),
        # Signed ids, as strconv.Atoi reads them.
        ("+1 -2 8:1 / /x rw - ext4 /dev/sda1 rw", lambda m: (m.mount_id, m.parent_id) == (1, -2)),
    ],
)
def test_parse_mountinfo_cases(line, check):
    (mount,) = parse_mountinfo(line.encode() + b"\n")
    assert check(mount)


@pytest.mark.parametrize(
    "data",
    [
        b"22 27 0:21 / /proc rw - proc\n",  # truncated
        b"22 27 0:21 / /proc rw proc proc rw extra\n",  # no separator
        b"x 27 0:21 / /proc rw - proc proc rw\n",  # mount id not a number
        b"22 y 0:21 / /proc rw - proc proc rw\n",  # parent id not a number
        b"1_0 27 0:21 / /proc rw - proc proc rw\n",  # Python int() syntax, not Go's
        b"99999999999999999999 27 0:21 / /p rw - proc proc rw\n",  # beyond int64
        b"22  27 0:21 / /proc rw - proc proc rw\n",  # fields split on single spaces
        ROOT_LINE.encode() + b"\n\n" + ROOT_LINE.encode() + b"\n",  # a blank line
        b"\x00\xff garbage \x80\n",
        b"1 0 8:1 / /" + b"x" * 70000 + b" rw - ext4 /dev/sda1 rw\n",  # beyond bufio.Scanner's 64 KiB
        b"\n",
    ],
)
def test_parse_mountinfo_rejects(data):
    with pytest.raises(ParseError):
        parse_mountinfo(data)


def test_parse_mountinfo_empty_and_unterminated():
    assert parse_mountinfo(b"") == []
    assert len(parse_mountinfo(ROOT_LINE.encode())) == 1


def test_parse_mountinfo_keeps_undecodable_paths():
    (mount,) = parse_mountinfo(b"1 0 8:1 / /mnt/\xff rw - ext4 /dev/sda1 rw\n")
    assert os.fsencode(mount.mount_point) == b"/mnt/\xff"


def test_unescape_mount_point_only_space_and_tab():
    assert unescape_mount_point("/a\\040b\\011c\\134d") == "/a b\tc\\134d"


test_parse_major_minor, test_parse_major_minor_rejects = parser_tests(
    parse_major_minor,
    [("8:1", ("8", "1")), ("08:01", ("8", "1")), ("259:2", ("259", "2")), ("+1:-2", ("1", "-2")),
     ("8:1junk", ("8", "1"))],
    ["", "8", "8:", ":1", "a:b", "99999999999999999999:1"])


def test_parse_btrfs_mounts():
    text = ("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw\n"
            "37 35 0:40 / /a\\040b rw shared:1 master:2 - btrfs /dev/vdb rw\n"
            "garbage\n38 35 0:41 / /c rw - btrfs\n")
    assert parse_btrfs_mounts(text) == [("/dev/vdb", "/a b")]


def _options(text: str) -> dict[str, str]:
    return {key: value for key, _, value in (item.partition("=") for item in text.split(","))}


TMPFS = "rw,size=405096k,mode=700,uid=112,gid=116"
CIFS = ("rw,vers=3.1.1,cache=strict,username=user,uid=1000,forceuid,gid=0,noforcegid,addr=127.0.0.1,"
        "file_mode=0755,dir_mode=0755,soft,nounix,serverino,mapposix,echo_interval=60,actimeo=1")


@pytest.mark.parametrize(("line", "expected"), [
    # procfs's TestMountInfo.
    ("16 21 0:16 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw",
     MountInfo(16, 21, "0:16", "/", "/sys", _options("rw,nosuid,nodev,noexec,relatime"), {"shared": "7"},
               "sysfs", "sysfs", {"rw": ""})),
    ("225 20 0:39 / /run/user/112 rw,nosuid,nodev,relatime shared:177 - tmpfs tmpfs " + TMPFS,
     MountInfo(225, 20, "0:39", "/", "/run/user/112", _options("rw,nosuid,nodev,relatime"), {"shared": "177"},
               "tmpfs", "tmpfs", _options(TMPFS))),
    # No optional fields: a double space before the separator.
    ("225 20 0:39 / /run/user/112 rw,nosuid,nodev,relatime  - tmpfs tmpfs " + TMPFS,
     MountInfo(225, 20, "0:39", "/", "/run/user/112", _options("rw,nosuid,nodev,relatime"), {}, "tmpfs",
               "tmpfs", _options(TMPFS))),
    ("225 20 0:39 / /run/user/112 rw,nosuid,nodev,relatime shared:177 master:8 - tmpfs tmpfs " + TMPFS,
     MountInfo(225, 20, "0:39", "/", "/run/user/112", _options("rw,nosuid,nodev,relatime"),
               {"shared": "177", "master": "8"}, "tmpfs", "tmpfs", _options(TMPFS))),
    # An optional field procfs does not know is dropped.
    ("225 20 0:39 / /run/user/112 rw,nosuid,nodev,relatime shared:177 master:8 foo:bar - tmpfs tmpfs "
     + TMPFS,
     MountInfo(225, 20, "0:39", "/", "/run/user/112", _options("rw,nosuid,nodev,relatime"),
               {"shared": "177", "master": "8"}, "tmpfs", "tmpfs", _options(TMPFS))),
    ("454 29 0:87 / /with/a-hyphen rw,relatime shared:255 - cifs //remote-storage/Path " + CIFS,
     MountInfo(454, 29, "0:87", "/", "/with/a-hyphen", _options("rw,relatime"), {"shared": "255"}, "cifs",
               "//remote-storage/Path", _options(CIFS))),
    ("137 45 253:2 /lib/docker/overlay2 /var/lib/docker/overlay2 rw,relatime - ext4 /dev/mapper/vg0-lv_var "
     "rw,data=ordered",
     MountInfo(137, 45, "253:2", "/lib/docker/overlay2", "/var/lib/docker/overlay2",
               _options("rw,relatime"), {},
               "ext4", "/dev/mapper/vg0-lv_var", _options("rw,data=ordered"))),
    ("157 47 253:2 /etc/named /var/named/chroot/etc/named rw,relatime - ext4 /dev/mapper/vg0-lv_root "
     "rw,data=ordered",
     MountInfo(157, 47, "253:2", "/etc/named", "/var/named/chroot/etc/named", _options("rw,relatime"), {},
               "ext4", "/dev/mapper/vg0-lv_root", _options("rw,data=ordered"))),
])
def test_procfs_mountinfo_lines(line, expected):
    assert parse_mountinfo_line(line) == expected


def test_procfs_mountinfo_line_rejects():
    with pytest.raises(ParseError):
        parse_mountinfo_line("hello")


NFS4 = ("rw,vers=4.0,rsize=1048576,wsize=1048576,namlen=255,acregmin=3,acregmax=60,acdirmin=30,acdirmax=60,"
        "hard,"
        "proto=tcp,port=0,timeo=600,retrans=2,sec=sys,clientaddr=192.168.1.5,addr=192.168.1.1,local_lock=none")
NFS3 = ("rw,vers=3,rsize=32768,wsize=32768,namlen=255,hard,proto=udp,timeo=11,retrans=3,sec=sys,"
        "mountaddr=192.168.1.1,mountvers=3,mountport=49602,mountproto=udp,local_lock=none,addr=192.168.1.1")
# procfs's TestFSMountInfo: its tree's /proc/self/mountinfo (self is 26231).
PROCFS_MOUNTS = [
    # "/  /root": an empty mount point, so the options field reads "/root".
    MountInfo(1, 1, "0:5", "/", "", {"/root": ""}, {"shared": "8"}, "rootfs", "rootfs", {"rw": ""}),
    MountInfo(16, 21, "0:16", "/", "/sys", _options("rw,nosuid,nodev,noexec,relatime"), {"shared": "7"},
              "sysfs",
              "sysfs", {"rw": ""}),
    MountInfo(17, 21, "0:4", "/", "/proc", _options("rw,nosuid,nodev,noexec,relatime"), {"shared": "12"},
              "proc",
              "proc", {"rw": ""}),
    MountInfo(21, 0, "8:1", "/", "/", _options("rw,relatime"), {"shared": "1"}, "ext4", "/dev/sda1",
              _options("rw,errors=remount-ro,data=ordered")),
    MountInfo(194, 21, "0:42", "/", "/mnt/nfs/test", {"rw": ""}, {"shared": "144"}, "nfs4",
              "192.168.1.1:/srv/test",
              _options(NFS4)),
    MountInfo(177, 21, "0:42", "/", "/mnt/nfs/test", {"rw": ""}, {"shared": "130"}, "nfs4",
              "192.168.1.1:/srv/test",
              _options(NFS4)),
    MountInfo(1398, 798, "0:44", "/", "/mnt/nfs/test", _options("rw,relatime"), {"shared": "1154"}, "nfs",
              "192.168.1.1:/srv/test", _options(NFS3)),
    MountInfo(1128, 67, "253:0", "/var/lib/containers/storage/overlay", "/var/lib/containers/storage/overlay",
              _options("rw,relatime"), {}, "xfs", "/dev/mapper/rhel-root",
              _options("rw,seclabel,attr2,inode64,logbufs=8,logbsize=32k,noquota")),
]


@pytest.mark.parametrize("path", ["self/mountinfo", "26231/mountinfo"])
def test_procfs_mountinfo(procfs_fixtures, path):
    assert parse_mountinfo((procfs_fixtures / "proc" / path).read_bytes()) == PROCFS_MOUNTS
