"""The file layer's link handling: real symlinks, regular files, broken and looping links."""

import os

from pyexporter import fs
from tests.support import symlink, write_tree


def test_read_sysfs_bytes_keeps_raw_bytes(tmp_path):
    write_tree(tmp_path, {"a": b"LNV\xff\xfe\n", "dir/x": "1"})
    assert fs.read_sysfs_bytes(str(tmp_path / "a")) == b"LNV\xff\xfe\n"
    assert fs.read_sysfs_bytes(str(tmp_path / "dir")) is None
    assert fs.read_sysfs_bytes(str(tmp_path / "missing")) is None
    assert fs.read_sysfs_attr(str(tmp_path / "a")) == "LNV\ufffd\ufffd"


def test_real_symlink(tmp_path):
    write_tree(tmp_path, {"devices/net/eth0/mtu": "1500\n"})
    symlink(tmp_path, "class/net/eth0", "../../devices/net/eth0")
    link = str(tmp_path / "class/net/eth0")
    assert fs.read_link(link) == "../../devices/net/eth0"
    assert fs.resolve_link(link) == str(tmp_path / "devices/net/eth0")
    assert fs.resolve_dir(link) == link
    assert fs.real_path(link + "/mtu") == str(tmp_path / "devices/net/eth0/mtu")


def test_a_regular_file_is_no_link(tmp_path):
    write_tree(tmp_path, {"class/net/bonding_masters": "bond0 dmz\n", "class/x/a": "../../devices"})
    for name in ("class/net/bonding_masters", "class/x/a"):
        assert fs.read_link(str(tmp_path / name)) is None
        assert fs.resolve_dir(str(tmp_path / name)) is None


def test_broken_and_looping_links(tmp_path):
    symlink(tmp_path, "class/x/broken", "../../devices/gone")
    symlink(tmp_path, "class/x/loop", "loop")
    assert fs.resolve_dir(str(tmp_path / "class/x/broken")) is None
    assert fs.real_path(str(tmp_path / "class/x/broken")) is None
    assert fs.real_path(str(tmp_path / "class/x/loop")) is None
    assert fs.resolve_dir(str(tmp_path / "class/x/loop")) is None


def test_real_path_follows_links_in_the_middle(tmp_path):
    write_tree(tmp_path, {"devices/platform/coretemp.0/hwmon/hwmon0/name": "coretemp\n"})
    symlink(tmp_path, "class/hwmon/hwmon0", "../../devices/platform/coretemp.0/hwmon/hwmon0")
    symlink(tmp_path, "devices/platform/coretemp.0/hwmon/hwmon0/device", "../../../coretemp.0")
    got = fs.real_path(str(tmp_path / "class/hwmon/hwmon0/device"))
    assert got == str(tmp_path / "devices/platform/coretemp.0")
    assert os.path.basename(fs.real_path(str(tmp_path / "class/hwmon/hwmon0"))) == "hwmon0"
