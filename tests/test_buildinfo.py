"""The version and git revision pyexporter reports (--version, node_exporter_build_info)."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import types

import pytest

from pyexporter import __version__, buildinfo
from pyexporter.cli import version_text
from pyexporter.selfmetrics import ExporterMetrics
from tests.support import REPO

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def git(cwd, *args: str) -> str:
    return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True, check=True,
                          timeout=30).stdout.strip()


@pytest.fixture
def fresh_revision():
    buildinfo.revision.cache_clear()
    yield
    buildinfo.revision.cache_clear()


def test_version_is_the_package_metadata_version():
    assert buildinfo.VERSION == __version__ == importlib.metadata.version("pyexporter")


def test_revision_recorded_at_build_time_wins(monkeypatch, fresh_revision):
    monkeypatch.setitem(sys.modules, "pyexporter._revision", types.SimpleNamespace(REVISION=COMMIT))
    assert buildinfo.revision() == COMMIT


@pytest.mark.parametrize("recorded", ["", "not a commit", "v0.1.0"])
def test_a_recorded_revision_that_is_no_commit_is_not_reported(monkeypatch, fresh_revision, recorded):
    monkeypatch.setitem(sys.modules, "pyexporter._revision", types.SimpleNamespace(REVISION=recorded))
    monkeypatch.setattr(buildinfo, "checkout_revision", lambda root: None)
    assert buildinfo.revision() == buildinfo.UNKNOWN_REVISION


def test_checkout_revision_is_git_head(tmp_path):
    git(tmp_path, "init", "-q")
    (tmp_path / "f").write_text("x")
    git(tmp_path, "add", "f")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "one")
    assert buildinfo.checkout_revision(str(tmp_path)) == git(tmp_path, "rev-parse", "HEAD")


def test_a_folder_that_is_no_checkout_has_no_revision(tmp_path):
    assert buildinfo.checkout_revision(str(tmp_path)) is None
    (tmp_path / ".git").write_text("gitdir: /nonexistent\n")  # a broken worktree link
    assert buildinfo.checkout_revision(str(tmp_path)) is None


@pytest.mark.skipif(not (REPO / ".git").exists(), reason="not run from a git checkout")
def test_run_from_this_checkout_the_revision_is_its_head(fresh_revision):
    assert buildinfo.revision() == git(REPO, "rev-parse", "HEAD")


def test_version_and_build_info_carry_the_revision(monkeypatch, fresh_revision):
    monkeypatch.setitem(sys.modules, "pyexporter._revision", types.SimpleNamespace(REVISION=COMMIT))
    assert version_text().splitlines()[0] == f"pyexporter, version {__version__} (revision: {COMMIT})"
    (sample,) = ExporterMetrics().build_info().samples
    labels = dict(sample.labels)
    assert labels["revision"] == COMMIT
    assert labels["version"].endswith(f"-pyexporter-{__version__}")
