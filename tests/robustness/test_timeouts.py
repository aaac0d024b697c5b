"""Collector timeouts on the real process: a collector whose read never returns.

--collector.timeout bounds every collector; X-Prometheus-Scrape-Timeout-Seconds
shortens it so the answer reaches Prometheus before it gives up; a stuck
collector is reported as failed and not started again until its thread
returns, so threads do not pile up. node_exporter has none of this: a hung
read there holds the scrape until Prometheus times out, and every later
scrape adds another stuck goroutine.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import psutil
import pytest

from pyexporter.cli import parse_args
from tests.robustness.blocking_exporter import ENV
from tests.robustness.exporter import Exporter, check_exposition
from tests.robustness.tree import build_tree, tree_flags

BLOCKER_SUCCESS = 'node_scrape_collector_success{collector="blocker"}'
BLOCKER_DURATION = 'node_scrape_collector_duration_seconds{collector="blocker"}'
LOADAVG_SUCCESS = 'node_scrape_collector_success{collector="loadavg"}'


def test_default_collector_timeout_is_seven_seconds():
    assert parse_args([]).collector_timeout == 7.0
    assert parse_args(["--collector.timeout=1500ms"]).collector_timeout == 1.5


class Blocker:
    def __init__(self, root: Path) -> None:
        self.dir = root / "blocker"
        self.dir.mkdir()
        os.mkfifo(self.dir / "gate")
        (self.dir / "block").touch()

    def starts(self) -> int:
        try:
            return len((self.dir / "starts").read_text().splitlines())
        except FileNotFoundError:
            return 0

    def release(self) -> None:
        """Stop blocking new runs and let the stuck read return."""
        (self.dir / "block").unlink(missing_ok=True)
        fd = os.open(self.dir / "gate", os.O_WRONLY | os.O_NONBLOCK)  # the stuck reader is there
        os.close(fd)


def start(tmp_path: Path, blocker: Blocker, *flags: str) -> Exporter:
    tree = build_tree(tmp_path / "tree")
    args = ["--collector.disable-defaults", "--collector.blocker", "--collector.loadavg",
            *tree_flags(tree, netdev=False), *flags]
    return Exporter(args, tmp_path / "exporter.log", module="tests.robustness.blocking_exporter",
                    env={ENV: str(blocker.dir)}).start()


@pytest.fixture
def blocker(tmp_path):
    b = Blocker(tmp_path)
    yield b
    if (b.dir / "block").exists():
        try:
            b.release()
        except OSError:
            pass  # no reader left: the exporter is gone


def test_stuck_collector_times_out_and_is_not_restarted(tmp_path, blocker):
    exporter = start(tmp_path, blocker, "--collector.timeout=1s")
    try:
        first = exporter.scrape()
        assert first.status == 200
        exposition = check_exposition(first.body)
        assert exposition.series[BLOCKER_SUCCESS] == 0.0
        assert exposition.series[LOADAVG_SUCCESS] == 1.0
        assert "node_load1" in exposition.series
        # The scrape waited for the timeout, not for the read.
        assert exposition.series[BLOCKER_DURATION] >= 0.9
        assert 0.9 <= first.elapsed < 10
        assert blocker.starts() == 1

        threads = psutil.Process(exporter.pid).num_threads()
        for _ in range(20):
            again = exporter.scrape()
            assert again.status == 200
            exposition = check_exposition(again.body)
            assert exposition.series[BLOCKER_SUCCESS] == 0.0
            assert exposition.series[LOADAVG_SUCCESS] == 1.0
        # Still the one stuck run: no new thread per scrape.
        assert blocker.starts() == 1
        assert psutil.Process(exporter.pid).num_threads() <= threads + 1

        blocker.release()
        deadline = time.monotonic() + 10
        while True:
            exposition = check_exposition(exporter.scrape().body)
            if exposition.series[BLOCKER_SUCCESS] == 1.0 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert exposition.series[BLOCKER_SUCCESS] == 1.0
        assert blocker.starts() == 2
        assert exporter.alive()
    finally:
        exporter.stop()


def test_prometheus_scrape_timeout_header_is_honoured(tmp_path, blocker):
    # A collector timeout far beyond the scrape timeout: only the header can answer in time.
    exporter = start(tmp_path, blocker, "--collector.timeout=120s")
    try:
        scrape = exporter.scrape(headers={"X-Prometheus-Scrape-Timeout-Seconds": "3"}, timeout=30)
        assert scrape.status == 200
        assert scrape.elapsed < 3.0, "the answer must reach Prometheus before its scrape timeout"
        exposition = check_exposition(scrape.body)
        assert exposition.series[BLOCKER_SUCCESS] == 0.0
        assert exposition.series[LOADAVG_SUCCESS] == 1.0
        # Unusable header values fall back to --collector.timeout; the stuck collector is skipped at once.
        for value in ("abc", "-1", "0", "nan", ""):
            other = exporter.scrape(headers={"X-Prometheus-Scrape-Timeout-Seconds": value}, timeout=30)
            assert other.status == 200
            assert check_exposition(other.body).series[BLOCKER_SUCCESS] == 0.0
        assert blocker.starts() == 1
    finally:
        exporter.stop()
