"""The node-exporter mixin's recording rules and alerts, evaluated by a real Prometheus on pyexporter.

Users run the mixin (`../shared/prometheus/node-mixin-rules.yaml`, as kube-prometheus ships it) against
their node exporters; a drop-in must leave every rule working. One Prometheus scrapes pyexporter and
the reference node_exporter (Debian's 1.5.0) on this machine, both in job="node-exporter" (the mixin's
selector), and evaluates the rules every second. Then: no rule fails to evaluate, every recording rule
gives pyexporter the same series as node_exporter (labels but `instance`), and the same alerts are
pending or firing for both.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.deploy.helpers import both_exporters, prometheus_api, prometheus_rules, prometheus_scraped
from tests.support import SHARED, needs_node_exporter

RULES = SHARED / "prometheus" / "node-mixin-rules.yaml"
JOB = "node-exporter"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not RULES.exists(), reason=f"{RULES} is absent"),
    needs_node_exporter,
]
#: Scrapes (one a second) before the rules are compared: rate() over [5m] needs two samples,
#: deriv() and the [2m] rates a few.
SETTLE_SCRAPES = 6


@pytest.fixture(scope="module")
def targets(tmp_path_factory) -> Iterator[dict[str, str]]:
    """instance address -> "pyexporter" / "node_exporter", both running on this machine (with the same
    filesystem exclusions, so that a nearly full filesystem fires the mixin's alerts for both or neither)."""
    with both_exporters(tmp_path_factory.mktemp("exporters")) as addresses:
        yield {address: name for name, address in addresses.items()}


@pytest.fixture(scope="module")
def prometheus(targets, tmp_path_factory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("prometheus")
    (work / "rules.yaml").write_bytes(RULES.read_bytes())
    config = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(work / "rules.yaml")],
        "scrape_configs": [{"job_name": JOB, "static_configs": [{"targets": sorted(targets)}]}],
    }
    with prometheus_scraped(config, work, len(targets), SETTLE_SCRAPES) as base:
        yield base


def _by_exporter(series: list[dict], targets: dict[str, str]) -> dict[str, set[tuple[tuple[str, str], ...]]]:
    """Each exporter's label sets, without the instance label that tells them apart."""
    out: dict[str, set[tuple[tuple[str, str], ...]]] = {name: set() for name in targets.values()}
    for item in series:
        labels = dict(item["metric"] if "metric" in item else item["labels"])
        exporter = targets[labels.pop("instance")]
        out[exporter].add(tuple(sorted(labels.items())))
    return out


def test_every_rule_evaluates(prometheus):
    rules = prometheus_rules(prometheus)
    assert len(rules) == 41
    failing = {rule["name"]: rule.get("lastError") for rule in rules if rule["health"] != "ok"}
    assert failing == {}


def test_recording_rules_give_the_same_series(prometheus, targets):
    records = [rule["name"] for rule in prometheus_rules(prometheus) if rule["type"] == "recording"]
    assert len(records) == 15
    for record in records:
        got = _by_exporter(prometheus_api(prometheus, query=f'{record}{{job="{JOB}"}}')["result"], targets)
        assert got["pyexporter"] == got["node_exporter"], record
    # The basics are there at all on any machine: the comparison is not of two empty sets.
    for record in ("instance:node_num_cpu:sum", "instance:node_cpu_utilisation:rate5m",
                   "instance:node_memory_utilisation:ratio", "instance:node_load1_per_cpu:ratio"):
        assert _by_exporter(prometheus_api(prometheus, query=record)["result"], targets)["pyexporter"], record


def test_the_same_alerts_are_active(prometheus, targets):
    alerts = prometheus_api(prometheus, "/api/v1/alerts")["alerts"]
    got = _by_exporter(alerts, targets)
    assert got["pyexporter"] == got["node_exporter"]
