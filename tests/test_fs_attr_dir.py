"""fs.AttrDir reads what fs.read_sysfs_bytes reads; open_attr_dir opens what resolve_dir resolves."""

import os

import pytest

from pyexporter import fs


@pytest.fixture
def device(tmp_path):
    """A sysfs-like device directory with every kind of entry an attribute name can meet."""
    d = tmp_path / "devices" / "eth0"
    d.mkdir(parents=True)
    (d / "mtu").write_text("1500\n")
    (d / "empty").write_text("")
    (d / "big").write_bytes(b"z" * 20000)
    (d / "binary").write_bytes(b"\xff\xfe\x00up\n")
    (d / "subdir").mkdir()
    (d / "subdir" / "inner").write_text("7\n")
    os.mkfifo(d / "fifo")
    os.symlink("mtu", d / "link-to-file")
    os.symlink("subdir", d / "link-to-dir")
    os.symlink("nowhere", d / "dangling")
    os.symlink("loop", d / "loop")
    return d


NAMES = ["mtu", "empty", "big", "binary", "subdir", "subdir/inner", "fifo", "link-to-file", "link-to-dir",
         "dangling", "loop", "absent", "mtu/below-a-file"]


@pytest.mark.parametrize("name", NAMES)
def test_read_bytes_matches_read_sysfs_bytes(device, name):
    with fs.open_attr_dir(str(device)) as attrs:
        assert attrs.read_bytes(name) == fs.read_sysfs_bytes(os.path.join(str(device), name))


def test_values_read(device):
    with fs.open_attr_dir(str(device)) as attrs:
        assert attrs.read_bytes("mtu") == b"1500\n"
        assert attrs.read_bytes("subdir/inner") == b"7\n"
        assert attrs.read_bytes("absent") is None
        assert len(attrs.read_bytes("big")) == fs.SYSFS_ATTR_BYTES


def test_open_attr_dir_follows_resolve_dir(tmp_path, device):
    cls = tmp_path / "class"
    cls.mkdir()
    os.symlink("../devices/eth0", cls / "eth0")
    os.symlink("../devices/none", cls / "broken")
    (cls / "bonding_masters").write_text("bond0\n")
    os.symlink("loop", cls / "loop")
    os.mkfifo(cls / "fifo")
    for name in ["eth0", "broken", "bonding_masters", "loop", "fifo", "absent"]:
        path = str(cls / name)
        resolved = fs.resolve_dir(path)
        attrs = fs.open_attr_dir(path)
        try:
            assert (attrs is None) == (resolved is None), name
            if attrs is not None:
                assert attrs.path == resolved
                assert attrs.read_bytes("mtu") == b"1500\n"
        finally:
            if attrs is not None:
                attrs.close()


def test_close_releases_the_descriptor(device):
    attrs = fs.open_attr_dir(str(device))
    fd = attrs.fd
    attrs.close()
    attrs.close()
    with pytest.raises(OSError):
        os.fstat(fd)
