"""docs/deploy.md's values for the prometheus-node-exporter chart (alone or in kube-prometheus-stack).

The chart is not installed here; its DaemonSet template (prometheus-node-exporter 4.56.1) builds the
image name and the command line from these values as `chart_image` and `chart_args` below restate.
pyexporter must take that command line, listen where the Service points, and serve.
"""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import yaml

from pyexporter.cli import parse_args
from tests.deploy.helpers import http_get, stop_process, wait_for
from tests.support import REPO, free_port

DOCS = REPO / "docs" / "deploy.md"
BASE_DAEMONSET = REPO / "manifests" / "base" / "daemonset.yaml"
#: The chart passes --path.udev.data only from this node_exporter version on (semverCompare in its template).
UDEV_FLAG_SINCE = (1, 4, 0)


def docs_values(marker: str) -> dict[str, Any]:
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", DOCS.read_text(), re.S) if marker in b]
    assert len(blocks) == 1, marker
    return yaml.safe_load(blocks[0])


def subchart_values() -> dict[str, Any]:
    return docs_values("prometheus-node-exporter:")["prometheus-node-exporter"]


def chart_image(values: dict[str, Any]) -> str:
    image = values["image"]
    suffix = "-distroless" if image["distroless"] else ""
    return f"{image['registry']}/{image['repository']}:{image['tag']}{suffix}"


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.match(r"v?(\d+)\.(\d+)\.(\d+)", text).groups())


def chart_args(values: dict[str, Any], host_ip: str = "0.0.0.0") -> list[str]:
    """The container's args as the chart renders them (hostRootFsMount on, no kube-rbac-proxy)."""
    args = ["--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host/root"]
    version = values.get("version") or values["image"]["tag"]
    if version_tuple(version) >= UDEV_FLAG_SINCE:
        args.append("--path.udev.data=/host/root/run/udev/data")
    args.append(f"--web.listen-address=[{host_ip}]:{values['service']['port']}")
    return args + list(values.get("extraArgs", []))


def test_the_chart_runs_the_pyexporter_image_on_port_20000():
    values = subchart_values()
    assert chart_image(values) == "registry.example.com/pyexporter:0.1.0"
    assert values["service"]["port"] == values["service"]["targetPort"] == 20000


def test_the_chart_command_line_is_pyexporters():
    args = chart_args(subchart_values())
    assert "--path.udev.data=/host/root/run/udev/data" in args
    settings = parse_args(args)
    assert settings.listen_addresses == ("[0.0.0.0]:20000",)
    assert (settings.roots.procfs, settings.roots.sysfs, settings.roots.rootfs, settings.roots.udev_data) == (
        "/host/proc", "/host/sys", "/host/root", "/host/root/run/udev/data")


def test_the_extra_args_are_the_daemonsets_excludes():
    (daemonset,) = [d for d in yaml.safe_load_all(BASE_DAEMONSET.read_text()) if d]
    (container,) = daemonset["spec"]["template"]["spec"]["containers"]
    excludes = [a for a in container["args"] if a.startswith("--collector.")]
    assert subchart_values()["extraArgs"] == excludes


def test_pyexporter_serves_on_the_charts_bracketed_listen_address(tmp_path):
    # The chart writes the address as [$(HOST_IP)]:port even for IPv4; here on loopback and a free port,
    # with this machine's /proc and /sys in place of the host mounts.
    port = free_port()
    values = {**subchart_values(), "service": {"port": port}}
    args = [a for a in chart_args(values, "127.0.0.1") if not a.startswith("--path.")]
    assert f"--web.listen-address=[127.0.0.1]:{port}" in args
    with (tmp_path / "log").open("wb") as log:
        exporter = subprocess.Popen([sys.executable, "-m", "pyexporter", *args], cwd=REPO,
                                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        body = wait_for(lambda: http_get(f"http://127.0.0.1:{port}/metrics")[1] or None, 60,
                        "pyexporter on the chart's listen address")
        assert re.search(rb"^node_load1 ", body, re.M)
    finally:
        stop_process(exporter)


def test_kube_prometheus_stack_keeps_the_dashboards_without_its_node_exporter():
    values = docs_values("forceDeployDashboards")
    assert values["nodeExporter"] == {"enabled": False, "forceDeployDashboards": True}
    assert values["prometheus"]["prometheusSpec"]["serviceMonitorSelectorNilUsesHelmValues"] is False
