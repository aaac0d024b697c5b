"""pyexporter's filesystem collector against the real node_exporter, on this machine's mounts.

The installed reference is node_exporter 1.5.0: it reads /proc/1/mounts rather
than mountinfo, has no device_error label, and other default excludes. Both
get the same explicit include/exclude flags and only the filesystem collector;
the sizes (blocks x block size, stable while the test runs) must agree.
"""

from __future__ import annotations

import re
import sys

import pytest

from pyexporter.collectors.filesystem import DEFAULT_FS_TYPES_EXCLUDE, DEFAULT_MOUNT_POINTS_EXCLUDE
from tests.support import NODE_EXPORTER, scrape_once

pytestmark = pytest.mark.skipif(not NODE_EXPORTER.exists(),
                                reason="prometheus-node-exporter (the reference) is not installed")

FLAGS = [
    "--collector.disable-defaults",
    "--collector.filesystem",
    f"--collector.filesystem.mount-points-exclude={DEFAULT_MOUNT_POINTS_EXCLUDE}",
    f"--collector.filesystem.fs-types-exclude={DEFAULT_FS_TYPES_EXCLUDE}",
]
_SAMPLE = r"^{}\{{(.*)\}} (\S+)$"
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def series(text: str, name: str = "node_filesystem_size_bytes") -> dict[tuple[str, str, str], float]:
    out = {}
    for labels, value in re.findall(_SAMPLE.format(name), text, re.M):
        pairs = dict(_LABEL.findall(labels))
        if pairs.pop("device_error", "") != "":
            continue
        out[(pairs["device"], pairs["fstype"], pairs["mountpoint"])] = float(value)
    return out


def test_size_bytes_match_node_exporter():
    ours = scrape_once([sys.executable, "-m", "pyexporter"], FLAGS)
    theirs = scrape_once([str(NODE_EXPORTER)], FLAGS)
    assert series(theirs), "node_exporter reported no filesystem on this machine; nothing to compare"
    assert series(ours) == series(theirs)
    # Total inodes are as stable as sizes; the set of mounts that failed must agree too.
    assert series(ours, "node_filesystem_files") == series(theirs, "node_filesystem_files")
