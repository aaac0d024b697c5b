"""Reading sysfs attributes the way prometheus/procfs reads them (through the file layer)."""

from __future__ import annotations

from pyexporter.fs import read_sysfs_bytes
from pyexporter.procfs.gotext import go_trim_space
from pyexporter.sysfs.values import decode, sys_value


def read_value(path: str) -> str | None:
    """procfs util.SysReadFile: the first 128 bytes, TrimSpace; None when absent or unreadable."""
    data = read_sysfs_bytes(path)
    return None if data is None else sys_value(data)


def read_whole_value(path: str) -> str | None:
    """procfs util.ReadUintFromFile/ReadIntFromFile: the whole attribute, TrimSpace."""
    data = read_sysfs_bytes(path)
    return None if data is None else go_trim_space(decode(data))
