"""`python -m pyexporter --web.config.file=...` as a process: refused at start with one clear line,
and scraped over TLS with basic auth by a real Prometheus."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.support import REPO, free_port
from tests.webconfig.support import bcrypt_hash, make_pki

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"


def start_exporter(config: Path, port: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pyexporter", f"--web.config.file={config}",
         f"--web.listen-address=127.0.0.1:{port}", "--collector.disable-defaults", "--collector.loadavg",
         *extra],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop(proc: subprocess.Popen[str]) -> str:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    _out, err = proc.communicate()
    return err


def bad_configs(tmp: Path) -> list[tuple[str, Path, str, str]]:
    """(case, config file, the key the message must name, a fragment of the problem)."""
    pki = make_pki(tmp / "pki")
    good_tls = f"tls_server_config:\n  cert_file: {pki.server.cert}\n  key_file: {pki.server.key}\n"
    files = {
        "missing cert": ("tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n",
                         "tls_server_config.cert_file", f"failed to read {tmp}/missing.crt"),
        "no cert at all": ("tls_server_config:\n  key_file: server.key\n",
                           "tls_server_config", "missing one of cert or cert_file"),
        "unknown key": (good_tls + "  client_auth: RequireAndVerifyClientCert\n",
                        "tls_server_config.client_auth", "unknown key"),
        "bad hash": (good_tls + "basic_auth_users:\n  prom: $2y$10$tooshort\n",
                     "basic_auth_users.prom", "invalid bcrypt hash"),
        "bad header": ("http_server_config:\n  headers:\n    X-Frame-Options: allow\n",
                       "http_server_config.headers.X-Frame-Options", "invalid value"),
    }
    cases = []
    for name, (text, key, problem) in files.items():
        path = tmp / f"{name.replace(' ', '-')}.yml"
        path.write_text(text)
        cases.append((name, path, key, problem))
    cases.append(("unreadable file", tmp / "pki", "--web.config.file", "Is a directory"))
    cases.append(("absent file", tmp / "absent.yml", "--web.config.file", "No such file or directory"))
    return cases


def test_invalid_config_files_are_refused_at_start(tmp_path):
    port = free_port()
    for name, path, key, problem in bad_configs(tmp_path):
        proc = start_exporter(path, port)
        try:
            proc.wait(timeout=20)
        finally:
            err = stop(proc)
        assert proc.returncode == 2, (name, err)
        lines = err.splitlines()
        assert len(lines) == 1, (name, err)
        assert lines[0].startswith(f"pyexporter: error: --web.config.file={path}"), (name, lines)
        assert f": {key}: " in lines[0] or lines[0].startswith(f"pyexporter: error: {key}="), (name, lines)
        assert problem in lines[0], (name, lines)
        assert "$2y$10$tooshort" not in err


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except OSError as exc:
            last = exc
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}: {last!r}")


@pytest.mark.slow
@pytest.mark.skipif(not Path(PROMETHEUS).exists(), reason="prometheus is not installed")
def test_prometheus_scrapes_over_tls_with_basic_auth(tmp_path):
    pki = make_pki(tmp_path / "pki")
    password = "scrape-secret"
    web_config = tmp_path / "web.yml"
    web_config.write_text(
        "tls_server_config:\n  cert_file: pki/server.crt\n  key_file: pki/server.key\n"
        f"basic_auth_users:\n  prometheus: {bcrypt_hash(password)}\n"
        "http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n")
    exporter_port, prometheus_port = free_port(), free_port()
    (tmp_path / "password").write_text(password)
    prometheus_config = tmp_path / "prometheus.yml"
    prometheus_config.write_text(f"""
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: node
    scheme: https
    tls_config:
      ca_file: {pki.server_ca_file}
    basic_auth:
      username: prometheus
      password_file: {tmp_path / 'password'}
    static_configs:
      - targets: ['127.0.0.1:{exporter_port}']
  - job_name: node-wrong-password
    scheme: https
    tls_config:
      ca_file: {pki.server_ca_file}
    basic_auth:
      username: prometheus
      password: wrong
    static_configs:
      - targets: ['127.0.0.1:{exporter_port}']
""")
    exporter = start_exporter(web_config, exporter_port)
    prometheus = None
    try:
        prometheus = subprocess.Popen(
            [PROMETHEUS, f"--config.file={prometheus_config}", f"--storage.tsdb.path={tmp_path / 'data'}",
             f"--web.listen-address=127.0.0.1:{prometheus_port}", "--log.level=warn"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        api = f"http://127.0.0.1:{prometheus_port}/api/v1"

        def up() -> dict[str, str] | None:
            query = urllib.parse.urlencode({"query": "up"})
            with urllib.request.urlopen(f"{api}/query?{query}", timeout=5) as resp:
                result = json.load(resp)["data"]["result"]
            values = {r["metric"]["job"]: r["value"][1] for r in result}
            return values if len(values) == 2 else None

        values = wait_for(up, 60, "Prometheus to scrape both targets")
        assert values == {"node": "1", "node-wrong-password": "0"}

        def targets() -> dict[str, dict[str, str]]:
            with urllib.request.urlopen(f"{api}/targets", timeout=5) as resp:
                active = json.load(resp)["data"]["activeTargets"]
            return {t["labels"]["job"]: t for t in active}

        found = targets()
        assert found["node"]["health"] == "up" and found["node"]["lastError"] == ""
        assert "401" in found["node-wrong-password"]["lastError"]

        def loadavg() -> list[dict[str, object]]:
            query = urllib.parse.urlencode({"query": 'node_load1{job="node"}'})
            with urllib.request.urlopen(f"{api}/query?{query}", timeout=5) as resp:
                return json.load(resp)["data"]["result"]

        assert wait_for(loadavg, 20, "node_load1 in Prometheus")
    finally:
        if prometheus is not None:
            stop(prometheus)
        err = stop(exporter)
    assert "Listening on" in err and "tls=True" in err and 'msg="Web config loaded"' in err
    assert password not in err and "$2b$" not in err
