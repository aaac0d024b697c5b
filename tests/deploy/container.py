"""Building the image and running it as the kubelet runs the DaemonSet, for the deployment tests.

The image is built with Debian's podman (`--isolation=chroot`, runtime runc) on a base image made here
with mmdebstrap (a Debian minbase with python3-minimal and python3-venv, from the host's Debian mirror),
imported with `podman import` and kept between runs.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType

import yaml

from tests.deploy.helpers import need_tool
from tests.support import REPO

DOCKERFILE = REPO / "Dockerfile"
BASE_IMAGE = "localhost/pyexporter-ci-base:bookworm-minbase"
BASE_SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
# Bounds on each step, so that a hung download fails the test instead of CI (2 cores, shared).
BOOTSTRAP_TIMEOUT = 300
BUILD_TIMEOUT = 420
APT_HINT = "scripts/install-test-deps installs it (scripts/apt-packages.txt)"


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


def daemonset_pod_spec() -> dict:
    docs = [d for d in yaml.safe_load_all((REPO / "manifests" / "base" / "daemonset.yaml").read_text()) if d]
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


def podman_run_like_the_daemonset(pod: dict, port: int, secrets: Mapping[str, Path] = MappingProxyType({})
                                  ) -> tuple[list[str], list[str]]:
    """podman options and exporter args doing what the DaemonSet asks of the kubelet.

    Returns (options, args); the listen address becomes 127.0.0.1:port (nothing listens beyond
    loopback here), every other arg is the DaemonSet's. A Secret volume is the folder `secrets` gives
    for the Secret's name, holding one file per key as the kubelet writes them.
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
    host_paths = {v["name"]: v["hostPath"]["path"] for v in pod["volumes"] if "hostPath" in v}
    host_paths |= {v["name"]: str(secrets[v["secret"]["secretName"]])
                   for v in pod["volumes"] if "secret" in v}
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


@contextmanager
def built_image() -> Iterator[str]:
    """The image built from this checkout with the build command docs/deploy.md gives (for this machine's
    base image); removed afterwards."""
    need_tool("podman", APT_HINT)
    need_tool("runc", APT_HINT)
    ensure_base_image()
    tag = f"localhost/pyexporter:test-{uuid.uuid4().hex[:12]}"
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
