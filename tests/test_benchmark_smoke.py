"""The benchmark script runs end to end at small sizes and reports figures (no timing assertions)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from benchmarks.report import markdown
from benchmarks.run import NODE_EXPORTER
from tests.support import REPO

FIGURES = ("latency_median_ms", "latency_p95_ms", "cpu_ms_per_scrape", "rss_mib", "peak_rss_mib",
           "response_body_bytes", "response_wire_bytes", "series")


def _assert_figures(figures: dict) -> None:
    for key in FIGURES:
        assert isinstance(figures[key], (int, float)) and figures[key] >= 0, key
    assert figures["series"] > 100
    assert figures["latency_median_ms"] > 0 and figures["rss_mib"] > 1


def test_benchmark_smoke_run(tmp_path):
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--small", "--sizes", "1", "--scrapes", "3", "--warmup", "1",
         "--soak", "8", "--concurrency", "3", "--rounds", "1", "--workdir", str(tmp_path / "work"),
         "--json", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads(out.read_text())
    with_node_exporter = os.access(NODE_EXPORTER, os.X_OK)

    run = results["sizes"]["1x"]
    _assert_figures(run["pyexporter"])
    assert "cpu" in run["pyexporter"]["collectors_ok"]
    assert results["soak"]["pyexporter"]["rss_mib"] > 1
    assert results["single_flight"]["pyexporter"]["concurrency"] == 3
    _assert_figures(results["live"]["pyexporter"])
    assert "pyexporter" in proc.stdout and "median ms" in proc.stdout
    assert "| tree 1x | pyexporter |" in markdown(results)
    if with_node_exporter:
        _assert_figures(run["node_exporter"])
        _assert_figures(results["live"]["node_exporter"])
        assert run["ratios"]["latency_median_ms"] > 0
        assert "cpu" in run["node_exporter"]["collectors_ok"]
    else:
        assert "node_exporter" not in run
