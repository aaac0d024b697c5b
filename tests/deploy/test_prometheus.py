"""A real Prometheus (Debian's /usr/bin/prometheus) scrapes pyexporter, as the DaemonSet is scraped.

Both listen on free 127.0.0.1 ports; Prometheus scrapes every second with job="node-exporter" and the
queries go through its HTTP API. `promtool check metrics` lints one scrape.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
import yaml

from pyexporter.loader import load_collectors
from tests.deploy.helpers import http_get, need_tool, running_prometheus, stop_process, wait_for
from tests.support import REPO, conformance_fixtures, free_port

JOB = "node-exporter"
APT_HINT = "scripts/install-test-deps installs the Debian package prometheus"
pytestmark = pytest.mark.slow

# The dashboard basics, with the collector that exposes each.
QUERIES = {
    "node_cpu_seconds_total": "cpu",
    "node_memory_MemAvailable_bytes": "meminfo",
    "node_filesystem_avail_bytes": "filesystem",
    "node_network_receive_bytes_total": "netdev",
    "node_load1": "loadavg",
}


@pytest.fixture(scope="module")
def exporter(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("exporter") / "stderr.log"
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pyexporter", f"--web.listen-address=127.0.0.1:{port}"],
            cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
    try:
        def ready() -> bool | None:
            assert proc.poll() is None, f"pyexporter exited:\n{log.read_text()}"
            return True if http_get(f"http://127.0.0.1:{port}/")[0] == 200 else None

        wait_for(ready, 30, f"pyexporter on 127.0.0.1:{port}")
        yield f"127.0.0.1:{port}"
    finally:
        stop_process(proc)


@pytest.fixture(scope="module")
def prometheus(exporter, tmp_path_factory):
    binary = need_tool("prometheus", APT_HINT)
    work = tmp_path_factory.mktemp("prometheus")
    config = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "scrape_configs": [{"job_name": JOB, "static_configs": [{"targets": [exporter]}]}],
    }
    with running_prometheus(binary, config, work) as base:
        yield base


def query(base: str, promql: str) -> list[dict]:
    status, body = http_get(f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": promql}))
    reply = json.loads(body)
    assert status == 200 and reply["status"] == "success", reply
    return reply["data"]["result"]


def query_until_present(base: str, promql: str, timeout: float = 30) -> list[dict]:
    return wait_for(lambda: query(base, promql) or None, timeout, f"a result for {promql}")


def test_target_is_up(prometheus, exporter):
    def target() -> dict | None:
        _, body = http_get(f"{prometheus}/api/v1/targets?state=active")
        targets = json.loads(body)["data"]["activeTargets"]
        up = [t for t in targets if t["labels"]["job"] == JOB and t["health"] == "up"]
        return up[0] if up else None

    found = wait_for(target, 30, f"target {exporter} of job {JOB} up")
    assert found["labels"]["instance"] == exporter
    assert found["lastError"] == ""
    result = query_until_present(prometheus, f'up{{job="{JOB}"}}')
    assert [r["value"][1] for r in result] == ["1"]


@pytest.mark.parametrize("metric", sorted(QUERIES))
def test_query_node_metric(prometheus, exporter, metric):
    collector = QUERIES[metric]
    assert collector in load_collectors(), f"collector {collector!r} ({metric}) is missing"
    result = query_until_present(prometheus, f'{metric}{{job="{JOB}"}}')
    for series in result:
        assert series["metric"]["instance"] == exporter
        assert float(series["value"][1]) >= 0, series
    check = CHECKS.get(metric)
    if check:
        check(result)


def _labels(result: list[dict], label: str) -> set[str]:
    return {r["metric"].get(label, "") for r in result}


def _check_cpu(result: list[dict]) -> None:
    cpus = {line.split()[0][3:] for line in Path("/proc/stat").read_text().splitlines()
            if re.match(r"cpu\d+ ", line)}
    assert _labels(result, "cpu") == cpus
    assert {"user", "system", "idle"} <= _labels(result, "mode")


def _check_memory(result: list[dict]) -> None:
    total = int(re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M).group(1)) * 1024
    assert [0 < float(r["value"][1]) <= total for r in result] == [True]


def _check_filesystem(result: list[dict]) -> None:
    assert "/" in _labels(result, "mountpoint")


def _check_network(result: list[dict]) -> None:
    assert set(os.listdir("/sys/class/net")) >= _labels(result, "device") >= {"lo"}


def _check_load(result: list[dict]) -> None:
    assert len(result) == 1


CHECKS = {
    "node_cpu_seconds_total": _check_cpu,
    "node_memory_MemAvailable_bytes": _check_memory,
    "node_filesystem_avail_bytes": _check_filesystem,
    "node_network_receive_bytes_total": _check_network,
    "node_load1": _check_load,
}


def promtool_problems(promtool: str, text: bytes) -> tuple[int, list[str]]:
    proc = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, timeout=60)
    lines = (proc.stdout + proc.stderr).decode().splitlines()
    return proc.returncode, [ln for ln in lines if ln.strip()]


def node_exporters_own_problems(promtool: str) -> set[tuple[str, str]]:
    """(family prefix, message) pairs node_exporter itself earns from promtool: a drop-in keeps them.

    node_exporter names whole families after kernel fields (node_memory_MemAvailable_bytes,
    node_netstat_TcpExt_TCPOFOQueue) or kernel units (node_entropy_*_bits). The pairs come from
    node_exporter 1.12.1's own output (../shared/conformance) and from the packaged node_exporter run
    here; a family is `node_<subsystem>`, so a field a newer release added stays allowed.
    """
    lines: list[str] = []
    fixtures = conformance_fixtures()
    if fixtures is not None:
        lines += promtool_problems(promtool, (fixtures / "e2e-output.txt").read_bytes())[1]
    binary = need_tool("prometheus-node-exporter", "scripts/install-test-deps installs it")
    port = free_port()
    proc = subprocess.Popen([binary, f"--web.listen-address=127.0.0.1:{port}"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        body = wait_for(lambda: http_get(f"http://127.0.0.1:{port}/metrics")[1] or None, 30,
                        "the packaged node_exporter")
    finally:
        stop_process(proc)
    lines += promtool_problems(promtool, body)[1]
    return {lint_key(line) for line in lines}


def lint_key(line: str) -> tuple[str, str]:
    """`node_netstat_Tcp_InSegs metric names should be ...` -> ('node_netstat', 'metric names ...')."""
    name, _, message = line.partition(" ")
    return "_".join(name.split("_")[:2]), message


def test_promtool_check_metrics(exporter):
    promtool = need_tool("promtool", APT_HINT)
    status, body = http_get(f"http://{exporter}/metrics")
    assert status == 200
    code, problems = promtool_problems(promtool, body)
    # 0: clean; 3: lint findings only. Anything else (1) is text promtool could not parse.
    assert code in (0, 3), problems
    assert not any("error while linting" in p for p in problems), problems
    allowed = node_exporters_own_problems(promtool)
    unexpected = sorted(p for p in problems if lint_key(p) not in allowed)
    assert unexpected == [], "lint problems node_exporter does not have:\n" + "\n".join(unexpected)


def test_promtool_catches_a_broken_exposition():
    # The check above can fail: a counter without _total and a sample that does not parse.
    promtool = need_tool("promtool", APT_HINT)
    code, problems = promtool_problems(
        promtool, b"# HELP pyx_requests Requests.\n# TYPE pyx_requests counter\npyx_requests 1\n")
    assert code == 3 and any("_total" in p for p in problems), problems
    code, problems = promtool_problems(promtool, b"pyx_broken{ 1\n")
    assert code != 0, problems


def docs_scrape_config() -> dict:
    text = (REPO / "docs" / "deploy.md").read_text()
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "scrape_configs:" in b]
    assert len(blocks) == 1, "docs/deploy.md should show one Prometheus scrape configuration"
    return yaml.safe_load(blocks[0])


def test_docs_scrape_config_is_valid(tmp_path):
    promtool = need_tool("promtool", APT_HINT)
    config = docs_scrape_config()
    assert [job["job_name"] for job in config["scrape_configs"]] == [JOB]
    job = config["scrape_configs"][0]
    assert job.pop("kubernetes_sd_configs") == [{"role": "node"}]
    # Debian builds Prometheus without Kubernetes discovery, so its promtool rejects that one section:
    # check everything else (the relabelling above all) with a static target of the same shape.
    job["static_configs"] = [{"targets": ["10.0.8.109:10250"]}]
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    proc = subprocess.run([promtool, "check", "config", str(path)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(("kubelet_address", "target"), [
    ("10.0.8.109:10250", "10.0.8.109:20000"),
    ("[fd00:10::8]:10250", "[fd00:10::8]:20000"),
    ("node-a.example:10250", "node-a.example:20000"),
])
def test_docs_relabelling_points_at_port_20000(kubelet_address, target):
    job = docs_scrape_config()["scrape_configs"][0]
    assert job["kubernetes_sd_configs"] == [{"role": "node"}]
    rule = next(r for r in job["relabel_configs"] if r["target_label"] == "__address__")
    assert rule["source_labels"] == ["__address__"]
    # Prometheus anchors relabel regexes at both ends and writes groups as ${1}.
    match = re.fullmatch(rule["regex"], kubelet_address)
    assert match is not None
    assert re.sub(r"\$\{(\d+)\}", lambda m: match.group(int(m.group(1))), rule["replacement"]) == target


#: ServiceMonitor relabeling fields and the names the operator writes them under in Prometheus's config.
OPERATOR_RELABEL_KEYS = {"action": "action", "sourceLabels": "source_labels", "separator": "separator",
                         "targetLabel": "target_label", "regex": "regex", "replacement": "replacement",
                         "modulus": "modulus"}


def service_monitor_scrape_config(target: str, node: str) -> dict:
    """The job the Prometheus Operator makes of manifests/prometheus-operator/servicemonitor.yaml, with a
    static target carrying the pod's node name as endpoints discovery would (Debian's Prometheus has no
    Kubernetes discovery). Scraped every second so the test need not wait 15 s."""
    (monitor,) = [d for d in yaml.safe_load_all((REPO / "manifests" / "prometheus-operator" /
                                                 "servicemonitor.yaml").read_text()) if d]
    (endpoint,) = monitor["spec"]["endpoints"]
    relabel = [{OPERATOR_RELABEL_KEYS[k]: v for k, v in rule.items()} for rule in endpoint["relabelings"]]
    return {"job_name": "serviceMonitor/pyexporter/pyexporter/0", "scheme": endpoint["scheme"],
            "scrape_interval": "1s", "scrape_timeout": "1s",
            "static_configs": [{"targets": [target], "labels": {"__meta_kubernetes_pod_node_name": node}}],
            "relabel_configs": relabel}


def test_service_monitor_relabelings_in_a_real_prometheus(exporter, tmp_path):
    binary = need_tool("prometheus", APT_HINT)
    config = {"global": {"evaluation_interval": "1s"},
              "scrape_configs": [service_monitor_scrape_config(exporter, "node-a")]}
    with running_prometheus(binary, config, tmp_path) as base:
        result = query_until_present(base, 'node_load1{job="node-exporter"}')
        assert [(r["metric"]["instance"], r["metric"]["node"]) for r in result] == [("node-a", "node-a")]
        assert [r["value"][1] for r in query(base, 'up{job="node-exporter",instance="node-a"}')] == ["1"]
