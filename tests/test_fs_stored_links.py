"""fs.resolve_link on links that a checkout without symlink support stored as files."""

import os

from pyexporter import fs
from tests.support import write_tree


def test_stored_link_resolves_to_existing_target(tmp_path):
    write_tree(tmp_path, {
        "devices/sdb/bcache/dirty_data": "0\n",
        "fs/bcache/u-1/bdev0": "../../../devices/sdb/bcache",
    })
    assert fs.resolve_link(str(tmp_path / "fs/bcache/u-1/bdev0")) == str(tmp_path / "devices/sdb/bcache")


def test_stored_link_to_missing_target_is_none(tmp_path):
    write_tree(tmp_path, {"fs/bcache/u-1/bdev0": "../../../devices/sdx/bcache"})
    assert fs.resolve_link(str(tmp_path / "fs/bcache/u-1/bdev0")) is None


def test_attribute_with_newline_is_not_a_link(tmp_path):
    # sysfs attributes end in a newline; a path-like attribute value is data.
    write_tree(tmp_path, {"devices/x/y": "1\n", "a/b/attr": "../../devices/x\n"})
    assert fs.resolve_link(str(tmp_path / "a/b/attr")) is None


def test_absolute_or_plain_content_is_not_a_link(tmp_path):
    write_tree(tmp_path, {"a/abs": str(tmp_path / "a"), "a/word": "running"})
    assert fs.resolve_link(str(tmp_path / "a/abs")) is None
    assert fs.resolve_link(str(tmp_path / "a/word")) is None


def test_real_and_broken_symlinks(tmp_path):
    write_tree(tmp_path, {"devices/eth0/mtu": "1500\n"})
    os.makedirs(tmp_path / "class")
    os.symlink("../devices/eth0", tmp_path / "class/eth0")
    os.symlink("../devices/nope", tmp_path / "class/broken")
    assert fs.resolve_link(str(tmp_path / "class/eth0")) == str(tmp_path / "devices/eth0")
    # A broken symlink still names its target; reads through it find nothing.
    assert fs.resolve_link(str(tmp_path / "class/broken")) == str(tmp_path / "devices/nope")
    assert fs.read_sysfs_attr(str(tmp_path / "class/broken/mtu")) is None
