"""prometheus/procfs's util.SysReadFile: one read of at most 128 bytes, then TrimSpace.

procfs reads the small sysfs attributes of the NVMe, DRM and PCI classes this
way; longer values (an NVMe qualified name can reach 223 bytes) come out cut
at 128 bytes, and pyexporter cuts them the same way.
"""

from __future__ import annotations

from pyexporter import fs
from pyexporter.procfs.goparse import go_trim_space

#: The size of SysReadFile's read buffer.
SYS_READ_BYTES = 128


def sys_read_file(path: str) -> str | None:
    """The attribute as SysReadFile returns it; None when absent or refused by the driver."""
    value = fs.read_sysfs_attr(path)
    if value is None:
        return None
    raw = value.encode("utf-8", "surrogateescape")
    if len(raw) > SYS_READ_BYTES:
        value = raw[:SYS_READ_BYTES].decode("utf-8", "replace")
    return go_trim_space(value)
