"""/proc/mounts (fstab(5) format): where tracefs is mounted."""

from __future__ import annotations

import os


def parse_tracefs_dir(mounts: str) -> str | None:
    """The tracefs directory from /proc/mounts: a tracefs mount, else tracing/ below a debugfs mount."""
    tracefs = debugfs = None
    for line in mounts.splitlines():
        fields = line.split(" ")
        if len(fields) <= 3:
            continue
        if fields[2] == "tracefs" and tracefs is None:
            tracefs = fields[1]
        elif fields[2] == "debugfs" and debugfs is None:
            debugfs = fields[1]
    if tracefs is not None:
        return tracefs
    return None if debugfs is None else os.path.join(debugfs, "tracing")
