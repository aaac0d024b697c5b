"""scripts/test-pythons: its versions follow the project's files; `.ci/run` runs the README's command."""

from __future__ import annotations

import importlib.util
import re
import subprocess
from importlib.machinery import SourceFileLoader
from types import ModuleType

import pytest

from tests.support import REPO


def _script() -> ModuleType:
    loader = SourceFileLoader("test_pythons_script", str(REPO / "scripts" / "test-pythons"))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_the_default_run_follows_the_image_and_the_floor():
    script = _script()
    image = re.search(r"^ARG BASE_IMAGE=\S*python:(3\.\d+)", (REPO / "Dockerfile").read_text(), re.M)
    assert image and script.image_python() == image.group(1)
    floor = re.search(r'^requires-python = ">=(3\.\d+)"', (REPO / "pyproject.toml").read_text(), re.M)
    assert floor and script.SUPPORTED[0] == floor.group(1)
    assert script.image_python() in script.SUPPORTED


@pytest.mark.parametrize("version", ["3.10", "3.11", "3.12", "3.13"])
def test_each_supported_version_is_found_as_itself(version):
    script = _script()
    try:
        python = script.interpreter(version)
    except SystemExit:
        pytest.skip(f"no Python {version} on this machine")
    out = subprocess.run([python, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True,
                         text=True, timeout=30, check=True).stdout
    assert out.strip() == str(tuple(int(p) for p in version.split(".")))


def test_an_unsupported_version_is_refused():
    proc = subprocess.run([str(REPO / "scripts" / "test-pythons"), "3.8"], capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 2 and "unsupported version(s) 3.8" in proc.stderr


def test_ci_runs_exactly_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    block = readme.split("Install the test dependencies and run every test", 1)[1]
    command = next(line.strip() for line in block.splitlines() if line.startswith("    "))
    ci = [line for line in (REPO / ".ci" / "run").read_text().splitlines()
          if line and not line.startswith(("#", "set ", "cd "))]
    assert ci == [command]
