"""pyexporter's filesystem collector against the real node_exporter, on this machine's mounts.

The installed reference is node_exporter 1.5.0: it reads /proc/1/mounts rather
than mountinfo, has no device_error label, and other default excludes. Both
get the same explicit include/exclude flags and only the filesystem collector;
the sizes (blocks x block size, stable while the test runs) must agree.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from collectors.filesystem import DEFAULT_FS_TYPES_EXCLUDE, DEFAULT_MOUNT_POINTS_EXCLUDE
from tests.support import REPO, free_port

NODE_EXPORTER = Path("/usr/bin/prometheus-node-exporter")
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


def _scrape_when_up(proc: subprocess.Popen, port: int, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
                return resp.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _run(argv: list[str]) -> str:
    port = free_port()
    proc = subprocess.Popen([*argv, f"--web.listen-address=127.0.0.1:{port}", *FLAGS], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return _scrape_when_up(proc, port)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def series(text: str, name: str = "node_filesystem_size_bytes") -> dict[tuple[str, str, str], float]:
    out = {}
    for labels, value in re.findall(_SAMPLE.format(name), text, re.M):
        pairs = dict(_LABEL.findall(labels))
        if pairs.pop("device_error", "") != "":
            continue
        out[(pairs["device"], pairs["fstype"], pairs["mountpoint"])] = float(value)
    return out


def test_size_bytes_match_node_exporter():
    ours = _run([sys.executable, "-m", "pyexporter"])
    theirs = _run([str(NODE_EXPORTER)])
    assert series(theirs), "node_exporter reported no filesystem on this machine; nothing to compare"
    assert series(ours) == series(theirs)
    # Total inodes are as stable as sizes; the set of mounts that failed must agree too.
    assert series(ours, "node_filesystem_files") == series(theirs, "node_filesystem_files")
