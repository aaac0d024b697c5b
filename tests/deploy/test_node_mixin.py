"""The node-exporter mixin's recording rules and alerts, evaluated by a real Prometheus on pyexporter.

Users run the mixin (`../shared/prometheus/node-mixin-rules.yaml`, as kube-prometheus ships it) against
their node exporters; a drop-in must leave every rule working. One Prometheus scrapes pyexporter and
the reference node_exporter (Debian's 1.5.0) on this machine, both in job="node-exporter" (the mixin's
selector), and evaluates the rules every second. Then: no rule fails to evaluate, every recording rule
gives pyexporter the same series as node_exporter (labels but `instance`), and the same alerts are
pending or firing for both.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from pyexporter.collectors.filesystem import DEFAULT_FS_TYPES_EXCLUDE, DEFAULT_MOUNT_POINTS_EXCLUDE
from tests.deploy.helpers import (
    http_get,
    need_tool,
    running_prometheus,
    start_exporter,
    stop_process,
    wait_for,
)
from tests.support import NODE_EXPORTER, SHARED

RULES = SHARED / "prometheus" / "node-mixin-rules.yaml"
JOB = "node-exporter"
APT_HINT = "scripts/install-test-deps installs the Debian packages prometheus and prometheus-node-exporter"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not RULES.exists(), reason=f"{RULES} is absent"),
    pytest.mark.skipif(not NODE_EXPORTER.exists(),
                       reason=f"the reference node_exporter is absent; {APT_HINT}"),
]
#: Debian's 1.5.0 build excludes more mount points by default (/run, /mnt, /media): both get 1.12.1's
#: defaults, so a nearly full filesystem there fires the mixin's alerts for both or for neither.
SAME_FLAGS = [f"--collector.filesystem.mount-points-exclude={DEFAULT_MOUNT_POINTS_EXCLUDE}",
              f"--collector.filesystem.fs-types-exclude={DEFAULT_FS_TYPES_EXCLUDE}"]
#: Scrapes (one a second) before the rules are compared: rate() over [5m] needs two samples,
#: deriv() and the [2m] rates a few.
SETTLE_SCRAPES = 6


@pytest.fixture(scope="module")
def targets(tmp_path_factory) -> Iterator[dict[str, str]]:
    """instance address -> "pyexporter" / "node_exporter", both running on this machine."""
    work = tmp_path_factory.mktemp("exporters")
    procs = []
    try:
        py, py_address = start_exporter([sys.executable, "-m", "pyexporter"], work / "pyexporter.log",
                                         SAME_FLAGS)
        procs.append(py)
        ne, ne_address = start_exporter([str(NODE_EXPORTER)], work / "node_exporter.log", SAME_FLAGS)
        procs.append(ne)
        yield {py_address: "pyexporter", ne_address: "node_exporter"}
    finally:
        for proc in procs:
            stop_process(proc)


@pytest.fixture(scope="module")
def prometheus(targets, tmp_path_factory) -> Iterator[str]:
    binary = need_tool("prometheus", APT_HINT)
    work = tmp_path_factory.mktemp("prometheus")
    (work / "rules.yaml").write_bytes(RULES.read_bytes())
    config = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(work / "rules.yaml")],
        "scrape_configs": [{"job_name": JOB, "static_configs": [{"targets": sorted(targets)}]}],
    }
    with running_prometheus(binary, config, work) as base:
        def settled() -> bool | None:
            reply = api(base, f'count_over_time(up{{job="{JOB}"}}[1m])')
            counts = [float(r["value"][1]) for r in reply["result"]]
            return True if len(counts) == len(targets) and min(counts) >= SETTLE_SCRAPES else None

        wait_for(settled, 60, f"{SETTLE_SCRAPES} scrapes of both exporters")
        yield base


def api(base: str, query: str | None = None, path: str = "/api/v1/query") -> dict:
    url = f"{base}{path}" + (f"?{urlencode({'query': query})}" if query is not None else "")
    status, body = http_get(url)
    reply = json.loads(body)
    assert status == 200 and reply["status"] == "success", reply
    return reply["data"]


def _by_exporter(series: list[dict], targets: dict[str, str]) -> dict[str, set[tuple[tuple[str, str], ...]]]:
    """Each exporter's label sets, without the instance label that tells them apart."""
    out: dict[str, set[tuple[tuple[str, str], ...]]] = {name: set() for name in targets.values()}
    for item in series:
        labels = dict(item["metric"] if "metric" in item else item["labels"])
        exporter = targets[labels.pop("instance")]
        out[exporter].add(tuple(sorted(labels.items())))
    return out


def _rules(prometheus: str) -> list[dict]:
    return [rule for group in api(prometheus, path="/api/v1/rules")["groups"] for rule in group["rules"]]


def test_every_rule_evaluates(prometheus):
    rules = _rules(prometheus)
    assert len(rules) == 41
    failing = {rule["name"]: rule.get("lastError") for rule in rules if rule["health"] != "ok"}
    assert failing == {}


def test_recording_rules_give_the_same_series(prometheus, targets):
    records = [rule["name"] for rule in _rules(prometheus) if rule["type"] == "recording"]
    assert len(records) == 15
    for record in records:
        got = _by_exporter(api(prometheus, f'{record}{{job="{JOB}"}}')["result"], targets)
        assert got["pyexporter"] == got["node_exporter"], record
    # The basics are there at all on any machine: the comparison is not of two empty sets.
    for record in ("instance:node_num_cpu:sum", "instance:node_cpu_utilisation:rate5m",
                   "instance:node_memory_utilisation:ratio", "instance:node_load1_per_cpu:ratio"):
        assert _by_exporter(api(prometheus, record)["result"], targets)["pyexporter"], record


def test_the_same_alerts_are_active(prometheus, targets):
    alerts = api(prometheus, path="/api/v1/alerts")["alerts"]
    got = _by_exporter(alerts, targets)
    assert got["pyexporter"] == got["node_exporter"]
