"""Packaging beyond what pyproject.toml can say.

The top-level `collectors/` folder installs as `pyexporter.collectors` (never as a top-level
`collectors` package), beside every package under `pyexporter/`, which is found by itself.

Build hook: the installed package records the git revision it was built from. The revision comes
from PYEXPORTER_REVISION (the container build passes its REVISION build argument, having no .git in
its context), else from `git rev-parse HEAD` when the source is a git checkout (pip or pipx
installing a clone), else it is left empty and the exporter reports "unknown". It is written as
pyexporter/_revision.py into the build folder only, never into the source tree.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def git_head(root: Path) -> str:
    if not (root / ".git").exists():
        return ""
    try:
        proc = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def build_revision() -> str:
    revision = os.environ.get("PYEXPORTER_REVISION", "").strip() or git_head(ROOT)
    if revision and not re.fullmatch(r"[0-9a-f]{7,64}", revision):
        raise SystemExit(f"PYEXPORTER_REVISION must be a git commit id (hex), not {revision!r}")
    return revision


class BuildPyWithRevision(build_py):
    def run(self) -> None:
        super().run()
        # An editable install runs the source tree itself, where the exporter asks git directly.
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "pyexporter" / "_revision.py"
        target.write_text(f'"""Written by setup.py at build time."""\n\nREVISION = "{build_revision()}"\n')


setup(
    packages=[*find_packages(include=["pyexporter", "pyexporter.*"]), "pyexporter.collectors"],
    package_dir={"pyexporter.collectors": "collectors"},
    cmdclass={"build_py": BuildPyWithRevision},
)
