"""kube-prometheus's Node Exporter dashboards and recording rules work on pyexporter as on node_exporter.

One real Prometheus scrapes pyexporter and the reference node_exporter (Debian's 1.5.0) on this machine,
each as its own job and instance, every second, and evaluates kube-prometheus's recording rules
(`../shared/grafana/kp-node-exporter-rules.yaml`) once per job. Every panel query and template variable
query of the dashboards in `../shared/grafana/` is then run through the HTTP API for each exporter, its
Grafana variables replaced as Grafana replaces them: none errors, and none has data for node_exporter
and not for pyexporter.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from tests.deploy.helpers import both_exporters, prometheus_api, prometheus_rules, prometheus_scraped
from tests.support import SHARED, needs_node_exporter

GRAFANA = SHARED / "grafana"
RULES = GRAFANA / "kp-node-exporter-rules.yaml"
DASHBOARDS = sorted(GRAFANA.glob("*.json"))
#: The job the dashboards and rules select on, replaced by each exporter's own job.
DASHBOARD_JOB = 'job="node-exporter"'
JOBS = {"pyexporter": "pyexporter", "node_exporter": "node_exporter"}
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not RULES.exists(), reason=f"{GRAFANA} is absent"),
    needs_node_exporter,
]
SCRAPE_INTERVAL = 1.0
#: Scrapes of each exporter before the queries run: the rules' rate()s need two, the panels' a few.
SETTLE_SCRAPES = 8
#: Grafana's $__rate_interval: max($__interval + scrape interval, 4 x scrape interval) with the data
#: source's scrape interval set to Prometheus's (1 s here).
RATE_INTERVAL = "4s"
#: A counter that moves between the two exporters' scrapes is seen by one a second before the other: data
#: node_exporter had this long before the end must have reached pyexporter by the end.
MARGIN = 3.0


def panel_queries(dashboard: dict[str, Any]) -> list[str]:
    """Every target expression of every panel, rows and nested panels included."""
    out: list[str] = []

    def walk(panels: list[dict[str, Any]]) -> None:
        for panel in panels:
            walk(panel.get("panels", []))
            out.extend(t["expr"] for t in panel.get("targets", []) if t.get("expr"))

    walk(dashboard.get("panels", []))
    for row in dashboard.get("rows", []):
        walk(row.get("panels", []))
    return out


def variable_queries(dashboard: dict[str, Any]) -> dict[str, str]:
    """name -> query of the dashboard's query variables."""
    out = {}
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            query = variable["query"]
            out[variable["name"]] = query["query"] if isinstance(query, dict) else query
    return out


def substitute(expr: str, values: dict[str, str]) -> str:
    """Grafana's variable syntaxes ($var, ${var}, ${var:fmt}, [[var]]) replaced by values."""
    def value(match: re.Match[str]) -> str:
        name = next(g for g in match.groups() if g)
        assert name in values, f"no value for ${name} in {expr!r}"
        return values[name]

    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)", value, expr)


def grafana_values(job: str, instance: str, start: float, end: float) -> dict[str, str]:
    """What Grafana puts in place of the variables, for one exporter's node."""
    span = max(1, round(end - start))
    return {
        "datasource": "prometheus", "instance": instance,
        # The cluster variable is "All" (allValue .*): these targets carry no cluster label.
        "cluster": ".*", "job": job,
        "__rate_interval": RATE_INTERVAL, "__interval": "1s", "__interval_ms": "1000",
        "__range": f"{span}s", "__range_s": str(span), "__range_ms": str(span * 1000),
    }


def for_job(text: str, job: str) -> str:
    assert DASHBOARD_JOB in text
    return text.replace(DASHBOARD_JOB, f'job="{job}"')


def rules_for_every_job() -> dict[str, Any]:
    """The recording rules once per exporter's job (the group name suffixed with it)."""
    groups = yaml.safe_load(RULES.read_text())["groups"]
    out = []
    for job in JOBS.values():
        for group in groups:
            rules = [{**rule, "expr": for_job(rule["expr"], job)} for rule in group["rules"]]
            out.append({**group, "name": f"{group['name']}/{job}", "rules": rules})
    return {"groups": out}


@pytest.fixture(scope="module")
def targets(tmp_path_factory) -> Iterator[dict[str, str]]:
    """exporter -> its 127.0.0.1 address, both running on this machine."""
    with both_exporters(tmp_path_factory.mktemp("exporters")) as addresses:
        yield addresses


@pytest.fixture(scope="module")
def prometheus(targets, tmp_path_factory) -> Iterator[tuple[str, float]]:
    """The Prometheus base URL and when it started scraping."""
    work = tmp_path_factory.mktemp("prometheus")
    (work / "rules.yaml").write_text(yaml.safe_dump(rules_for_every_job()))
    interval = f"{SCRAPE_INTERVAL:g}s"
    config = {
        "global": {"scrape_interval": interval, "scrape_timeout": interval, "evaluation_interval": interval},
        "rule_files": [str(work / "rules.yaml")],
        "scrape_configs": [{"job_name": JOBS[name], "static_configs": [{"targets": [address]}]}
                           for name, address in targets.items()],
    }
    started = time.time()
    with prometheus_scraped(config, work, len(targets), SETTLE_SCRAPES) as base:
        yield base, started


def last_sample_time(result: list[dict[str, Any]]) -> float | None:
    """The latest time a range query returned a point for, or None when it returned nothing."""
    times = [float(point[0]) for series in result for point in series["values"]]
    return max(times) if times else None


def query_range(base: str, expr: str, start: float, end: float) -> list[dict[str, Any]]:
    data = prometheus_api(base, "/api/v1/query_range", query=expr, start=f"{start:.3f}", end=f"{end:.3f}",
                          step="1")
    assert data["resultType"] == "matrix", data
    return data["result"]


def dashboard_cases() -> list[tuple[str, int, str]]:
    return [(path.name, i, expr) for path in DASHBOARDS
            for i, expr in enumerate(panel_queries(json.loads(path.read_text())))]


def test_the_dashboards_are_there():
    assert {p.name for p in DASHBOARDS} >= {"kp-nodes.json", "kp-node-rsrc-use.json",
                                           "kp-node-cluster-rsrc-use.json"}
    assert all(DASHBOARD_JOB in expr for _, _, expr in dashboard_cases())
    assert len(dashboard_cases()) == 39


@pytest.fixture(scope="module")
def every_panel(prometheus, targets) -> dict[tuple[str, int], dict[str, float | None]]:
    """(dashboard, panel target) -> exporter -> the last time it had data (None: never)."""
    base, started = prometheus
    end = time.time()
    start = max(started, end - 120)
    out: dict[tuple[str, int], dict[str, float | None]] = {}
    for dashboard, index, expr in dashboard_cases():
        row = out.setdefault((dashboard, index), {})
        for name, address in targets.items():
            values = grafana_values(JOBS[name], address, start, end)
            query = substitute(for_job(expr, JOBS[name]), values)
            row[name] = last_sample_time(query_range(base, query, start, end))
        row["end"] = end
    return out


def test_no_panel_has_data_for_node_exporter_only(every_panel):
    only_node_exporter = {
        key: times for key, times in every_panel.items()
        if times["node_exporter"] is not None and times["node_exporter"] <= times["end"] - MARGIN
        and times["pyexporter"] is None
    }
    assert only_node_exporter == {}


def test_the_basic_panels_have_data_for_both(every_panel):
    # The comparison above is not of two empty sets: most panels have data on any Linux machine.
    with_data = [key for key, times in every_panel.items()
                 if times["pyexporter"] is not None and times["node_exporter"] is not None]
    assert len(with_data) >= 20, sorted(every_panel)


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_template_variables_find_each_exporters_node(prometheus, targets, path):
    base, _ = prometheus
    variables = variable_queries(json.loads(path.read_text()))
    for name, address in targets.items():
        for variable, query in variables.items():
            match = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", query, re.S)
            assert match, f"{path.name} ${variable}: {query!r} is not label_values(selector, label)"
            selector = match.group(1)
            # A selector without the job (the cluster variable's) is narrowed to the exporter's series.
            selector = for_job(selector, JOBS[name]) if DASHBOARD_JOB in selector else selector
            selector = substitute(selector, grafana_values(JOBS[name], address, 0, 1))
            result = [series for series in prometheus_api(base, query=selector)["result"]
                      if series["metric"].get("job") == JOBS[name]]
            assert result, f"{path.name} ${variable}: nothing for {name} ({selector})"
            found = {series["metric"].get(match.group(2)) for series in result}
            if match.group(2) == "instance":
                assert found == {address}, (name, found)


def test_pyexporter_serves_every_process_series_node_exporter_serves(prometheus):
    base, _ = prometheus
    names: dict[str, set[str]] = {}
    for name, job in JOBS.items():
        result = prometheus_api(base, query=f'{{__name__=~"process_.+", job="{job}"}}')["result"]
        names[name] = {series["metric"]["__name__"] for series in result}
    assert len(names["node_exporter"]) >= 6
    assert names["node_exporter"] <= names["pyexporter"]


def test_the_recording_rules_evaluate(prometheus):
    base, _ = prometheus
    rules = prometheus_rules(base)
    assert len(rules) == 15 * len(JOBS)
    assert {rule["name"]: rule.get("lastError") for rule in rules if rule["health"] != "ok"} == {}


def test_the_substitution_leaves_no_variable():
    values = grafana_values("j", "127.0.0.1:1", 0, 60)
    for _, _, expr in dashboard_cases():
        assert "$" not in substitute(for_job(expr, "j"), values)
    assert substitute("a[$__rate_interval] ${instance} [[cluster]]", values) == "a[4s] 127.0.0.1:1 .*"
    with pytest.raises(AssertionError):
        substitute("$unknown", values)
