"""/proc/<pid>/mountinfo's parsers, as tables of cases."""

import os

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.mountinfo import (
    MountInfo,
    parse_btrfs_mounts,
    parse_major_minor,
    parse_mountinfo,
    unescape_mount_point,
)

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


@pytest.mark.parametrize(
    ("text", "expected"),
    [("8:1", ("8", "1")), ("08:01", ("8", "1")), ("259:2", ("259", "2")), ("+1:-2", ("1", "-2")),
     ("8:1junk", ("8", "1"))],
)
def test_parse_major_minor(text, expected):
    assert parse_major_minor(text) == expected


@pytest.mark.parametrize("text", ["", "8", "8:", ":1", "a:b", "99999999999999999999:1"])
def test_parse_major_minor_rejects(text):
    with pytest.raises(ParseError):
        parse_major_minor(text)


def test_parse_btrfs_mounts():
    text = ("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw\n"
            "37 35 0:40 / /a\\040b rw shared:1 master:2 - btrfs /dev/vdb rw\n"
            "garbage\n38 35 0:41 / /c rw - btrfs\n")
    assert parse_btrfs_mounts(text) == [("/dev/vdb", "/a b")]
