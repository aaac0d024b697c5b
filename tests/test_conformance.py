"""node_exporter 1.12.1's own fixture tree and output, scored by ../shared/conformance/check.

The whole suite must be exact: every reference sample reproduced, every HELP
and TYPE the same, no series node_exporter does not have (anything beyond it
sits behind a flag that is off by default), and nothing `check` cannot parse.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.support import CONFORMANCE, REPO

CHECK = CONFORMANCE / "check"
pytestmark = pytest.mark.skipif(not CHECK.exists(), reason="../shared/conformance is not present")

SUMMARY = re.compile(
    r"^conformance: (?P<exact>\d+)/(?P<samples>\d+) samples exact .*"
    r"help/type (?P<meta_ok>\d+)/(?P<meta>\d+), extra samples (?P<extra>\d+), "
    r"parse problems (?P<problems>\d+)$", re.M)
SUCCESS = re.compile(r'^node_scrape_collector_success\{collector="([^"]+)"\} (\S+)$', re.M)


@pytest.fixture(scope="module")
def conformance_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("conformance") / "metrics.txt"
    args = [sys.executable, str(CHECK), "--exporter", f"{sys.executable} -m pyexporter",
            "--timeout", "60", "--save", str(out)]
    proc = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=180)
    return proc, out.read_text() if out.exists() else ""


def test_the_whole_suite_is_exact(conformance_run):
    proc, _ = conformance_run
    summary = SUMMARY.search(proc.stdout)
    assert summary, proc.stdout + proc.stderr
    assert summary["exact"] == summary["samples"], proc.stdout
    assert summary["meta_ok"] == summary["meta"], proc.stdout
    assert int(summary["samples"]) > 3000 and int(summary["meta"]) > 2000, proc.stdout
    assert summary["extra"] == "0", proc.stdout
    assert summary["problems"] == "0", proc.stdout
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_collector_of_the_suite_succeeds(conformance_run):
    _, metrics = conformance_run
    outcomes = dict(SUCCESS.findall(metrics))
    # The suite enables 65 collectors; each one reports success on node_exporter's own tree.
    assert len(outcomes) >= 60, metrics[:2000]
    assert {name for name, value in outcomes.items() if value != "1"} == set()
