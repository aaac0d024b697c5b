"""benchmarks/load.py at CI size: scrapers, idle keep-alive connections and slow readers at once.

The full-size run (50 scrapers for 60 s, 200 idle, 20 slow, 10,000 scrapes)
is `python -m benchmarks.load`; its figures are in docs/robustness.md. Here:
10 scrapers for 10 s with --web.max-requests below their number (so the
designed 503 happens), 50 idle connections, 5 slow readers, 2,000 scrapes.
"""

from __future__ import annotations

import pytest

from benchmarks.load import LoadConfig, run

pytestmark = pytest.mark.slow

CI = LoadConfig(clients=10, duration=10.0, idle=50, slow=5, rss_scrapes=2000, rss_first=1000,
                max_requests=8, idle_probes=30)


@pytest.fixture(scope="module")
def report():
    return run(CI)


def test_load_checks_pass(report):
    # Every check of the load run: failures, latency, fds, threads, RSS. The figures are in the message.
    assert report.failures == [], "\n".join(report.failures)


def test_load_did_the_work(report):
    # The run must really have loaded the exporter, or passing means nothing.
    assert report.scrapers["statuses"].get("200", 0) >= 10 * CI.clients
    assert report.probe["statuses"].get("200", 0) >= 5
    assert report.idle_connections.get("open") == CI.idle
    assert report.slow_clients.get("started") == CI.slow
    assert report.rss["scrapes_total"] == CI.rss_scrapes and report.rss["failed_scrapes"] == 0


def test_requests_above_the_limit_get_the_designed_503(report):
    # 10 scrapers against --web.max-requests=8: some are turned away, with the limit message (checked
    # per response by the load run), and nothing else fails.
    statuses = report.scrapers["statuses"]
    assert statuses.get("503", 0) > 0
    assert set(statuses) <= {"200", "503"}
    assert report.scrapers["errors"] == {}
