"""Hypothesis profiles for the whole suite.

CI runs derandomized: the examples are a fixed function of each test, so a
run that passed here passes on the CI machine, and a failure there is
reproducible here. New inputs are found by the random, longer hunt:
    PYEXPORTER_FUZZ_PROFILE=robustness-deep python -m pytest tests
No deadline: a shared 2-core CI machine can stall one example for longer
than Hypothesis's 200 ms default; hangs are caught by the robustness tests'
own time budgets instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from pyexporter.loader import load_collectors
from pyexporter.netlink import conn
from tests.netlink.peer import FakeKernel
from tests.support import PROCFS_FIXTURES_ARCHIVE, unpack_procfs_fixtures

settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "deep", derandomize=False, deadline=None, max_examples=1000, suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("deep" if os.environ.get("PYEXPORTER_FUZZ_PROFILE") == "robustness-deep" else "ci")

# The suite works with every collector registered, as the program does after its entry point ran.
load_collectors()


@pytest.fixture(scope="session")
def procfs_fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """prometheus/procfs's own test tree, unpacked once per session: the root holding proc/ and sys/."""
    if not PROCFS_FIXTURES_ARCHIVE.is_file():
        pytest.skip(f"procfs's test tree is not there ({PROCFS_FIXTURES_ARCHIVE}): ../shared is absent")
    return unpack_procfs_fixtures(tmp_path_factory.mktemp("procfs"))


@pytest.fixture
def fake_kernel(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeKernel]:
    """A FakeKernel (tests/netlink/peer.py) answering pyexporter's netlink requests in place of the
    kernel, without handlers yet: the test fills .handlers."""
    kernel = FakeKernel({})
    monkeypatch.setattr(conn, "open_socket", kernel.open_socket)
    yield kernel
    kernel.close()
