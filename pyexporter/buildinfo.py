"""This installation's version and the git revision it was built from.

The version is the package's (pyproject.toml takes it from `pyexporter.__version__`). The revision is
recorded at build time by setup.py in `pyexporter/_revision.py` (the container image's REVISION build
argument, or `git rev-parse HEAD` of the checkout pip built from). Run from a checkout (an editable
install, `python -m pyexporter` in the source tree) it is asked of git once. "unknown" otherwise, as
node_exporter's build info says when built without version control information.
"""

from __future__ import annotations

import functools
import os
import re

from pyexporter import __version__

VERSION = __version__
UNKNOWN_REVISION = "unknown"
_COMMIT = re.compile(r"[0-9a-f]{7,64}")


def _recorded_revision() -> str | None:
    try:
        from pyexporter import _revision  # type: ignore[attr-defined]  # generated at build time
    except ImportError:
        return None
    recorded = getattr(_revision, "REVISION", "")
    return recorded if isinstance(recorded, str) and _COMMIT.fullmatch(recorded) else None


def checkout_revision(source_root: str) -> str | None:
    """HEAD of the git checkout at `source_root`, or None when it is not one (or git is absent)."""
    if not os.path.exists(os.path.join(source_root, ".git")):
        return None
    import subprocess

    try:
        proc = subprocess.run(["git", "-C", source_root, "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=5, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    head = proc.stdout.strip()
    return head if proc.returncode == 0 and _COMMIT.fullmatch(head) else None


@functools.lru_cache(maxsize=1)
def revision() -> str:
    package_dir = os.path.dirname(os.path.abspath(__file__))
    return (_recorded_revision() or checkout_revision(os.path.dirname(package_dir))
            or UNKNOWN_REVISION)
