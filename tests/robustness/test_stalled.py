"""benchmarks/stalled.py at CI size: 200 stalled connections of each kind (slowloris headers, TLS
handshakes that never start, idle keep-alive, responses never read), each closed within its bound,
a normal scrape still answered in under 2x its unloaded time, the exporter's descriptors bounded.

The full-size run (2,000 of each kind with the default bounds) is `python -m benchmarks.stalled`;
its figures are in docs/robustness.md. Here the bounds are a second or two, so that the run takes
seconds: once under the default cap (every connection closed by its bound) and once with
--web.max-connections=50 (most given up at once for newer ones, the rest closed by the bound).
"""

from __future__ import annotations

import pytest

from benchmarks.stalled import StalledConfig, run, summary

pytestmark = pytest.mark.slow

CI = StalledConfig(count=200, header_timeout=1.0, handshake_timeout=1.0, idle_timeout=1.5, write_timeout=1.0,
                   probes=6, probe_interval=0.05, drip=0.3, slack=1.0)


def test_every_stalled_connection_is_closed_within_its_bound():
    reports = run(CI)
    assert [r.kind for r in reports] == ["header", "handshake", "idle", "slow"]
    failures = [f for r in reports for f in r.failures]
    assert failures == [], summary(reports)
    for r in reports:
        # The run really held them: all opened, none given up for the cap (200 < 512), all closed.
        assert r.opened == 200 and r.closed_at_once == 0, summary(reports)
        assert r.closed_at_bound + r.answered_503 == 200 and r.answered_503 < 20, summary(reports)
        assert r.fds_max >= r.fds_baseline + 150, summary(reports)


def test_beyond_the_cap_stalled_connections_give_way():
    config = StalledConfig(**{**CI.__dict__, "kinds": ("header", "handshake"),
                              "exporter_args": ("--web.max-connections=50",)})
    reports = run(config)
    assert [f for r in reports for f in r.failures] == [], summary(reports)
    for r in reports:
        assert r.opened == 200 and r.closed_at_once >= 140 and r.closed_at_bound >= 40, summary(reports)
        assert r.fds_max <= r.fds_baseline + 50 + 8, summary(reports)
