import os
import threading

import pytest

from pyexporter import fs
from pyexporter.errors import ParseError


def test_roots_join_and_strip(tmp_path):
    roots = fs.Roots("/host/proc", "/host/sys", "/host/root", "/host/udev")
    assert roots.proc("net", "dev") == "/host/proc/net/dev"
    assert roots.sys("class/net") == "/host/sys/class/net"
    assert roots.root("/var/lib") == "/host/root/var/lib"
    assert roots.strip_rootfs("/host/root/var") == "/var"
    assert roots.strip_rootfs("/host/root") == "/"
    assert roots.strip_rootfs("/host/rootless") == "/host/rootless"
    assert fs.Roots().strip_rootfs("/var") == "/var"


def test_read_file_and_optional(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 300_000)
    assert fs.read_file(str(tmp_path / "a")) == b"x" * 300_000
    assert fs.read_optional(str(tmp_path / "missing")) is None
    assert fs.read_optional(str(tmp_path / "a" / "below-a-file")) is None
    with pytest.raises(FileNotFoundError):
        fs.read_file(str(tmp_path / "missing"))


def test_read_file_is_bounded(tmp_path):
    (tmp_path / "big").write_bytes(b"y" * 2000)
    with pytest.raises(ParseError, match="larger than"):
        fs.read_file(str(tmp_path / "big"), limit=1000)


def test_fifo_and_directory_are_refused_without_blocking(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    done = threading.Event()

    def read():
        with pytest.raises(ParseError, match="special file"):
            fs.read_file(str(fifo))
        done.set()

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(2)
    assert done.is_set(), "reading a FIFO blocked"
    with pytest.raises(ParseError, match="directory"):
        fs.read_file(str(tmp_path))


def test_read_sysfs_attr(tmp_path):
    (tmp_path / "text").write_text("up\n")
    (tmp_path / "dir").mkdir()
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling")
    os.symlink(tmp_path / "loop", tmp_path / "loop")
    assert fs.read_sysfs_attr(str(tmp_path / "text")) == "up"
    assert fs.read_sysfs_attr(str(tmp_path / "absent")) is None
    assert fs.read_sysfs_attr(str(tmp_path / "dir")) is None
    assert fs.read_sysfs_attr(str(tmp_path / "dangling")) is None
    assert fs.read_sysfs_attr(str(tmp_path / "loop")) is None


def test_list_dir_and_links(tmp_path):
    (tmp_path / "devices" / "eth0").mkdir(parents=True)
    (tmp_path / "class").mkdir()
    os.symlink("../devices/eth0", tmp_path / "class" / "eth0")
    assert fs.list_dir(str(tmp_path / "class")) == ["eth0"]
    assert fs.list_dir(str(tmp_path / "absent")) == []
    assert fs.resolve_link(str(tmp_path / "class" / "eth0")) == str(tmp_path / "devices" / "eth0")
    assert fs.resolve_link(str(tmp_path / "devices")) is None


def test_count_open_fds_counts_this_process_descriptors(tmp_path):
    from pyexporter.fs import count_open_fds

    before = count_open_fds("/proc/self/fd")
    with open(tmp_path / "a", "w"), open(tmp_path / "b", "w"):
        assert count_open_fds("/proc/self/fd") == before + 2
    assert count_open_fds("/proc/self/fd") == before
