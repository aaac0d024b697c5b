"""scripts/error_differential.py runs end to end on a couple of files (a tool, not a verdict)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from benchmarks.run import NODE_EXPORTER
from tests.support import REPO


@pytest.mark.skipif(not os.access(NODE_EXPORTER, os.X_OK), reason=f"{NODE_EXPORTER} absent")
def test_error_differential_smoke():
    argv = [sys.executable, "scripts/error_differential.py", "--mode", "garbage", "--files", "proc",
            "--limit", "2"]
    proc = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1].startswith("garbage: 2 files broken one at a time, ")
