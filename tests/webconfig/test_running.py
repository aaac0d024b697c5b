"""The running configuration (pyexporter.webconfig.running): what the server is given, reloads
of the file and of the certificates it names, and the real process refusing a bad file at start and
scraped by a real Prometheus over TLS with basic auth."""

from __future__ import annotations

import json
import logging
import shutil
import signal
import ssl
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import aiohttp
import pytest

from pyexporter.webconfig.running import load_web_config
from tests.support import free_port, stderr_lines_until
from tests.webconfig.support import (
    CONNECTION_REFUSED,
    bcrypt_hash,
    fetch,
    make_pki,
    peer_certificate,
    replace_file,
    serve,
    start_exporter,
    stop,
    tls_config,
    wait_for,
    write_config,
    write_leaf,
)

HASH = bcrypt_hash("pw")


def test_plain_http_when_no_tls_key_is_set(tmp_path):
    path = tmp_path / "web.yml"
    path.write_text("tls_server_config:\n  min_version: TLS13\nbasic_auth_users:\n  a: " + HASH + "\n")
    security = load_web_config(str(path))
    assert security.ssl_context() is None and len(security.middlewares()) == 1


async def test_certificate_rotation_is_picked_up(tmp_path, pki, caplog):
    # The Kubernetes Secret volume layout: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>.
    volume = tmp_path / "secret"
    first = volume / "..v1"
    first.mkdir(parents=True)
    shutil.copy(pki.server.cert, first / "tls.crt")
    shutil.copy(pki.server.key, first / "tls.key")
    (volume / "..data").symlink_to("..v1")
    (volume / "tls.crt").symlink_to("..data/tls.crt")
    (volume / "tls.key").symlink_to("..data/tls.key")
    config = write_config(volume.parent, "tls_server_config:\n  cert_file: secret/tls.crt\n"
                                         "  key_file: secret/tls.key\n")
    ctx = pki.client_context()
    new_ca = pki.server_ca  # same CA, new key pair: clients keep trusting it
    async with serve(config, tmp_path) as served:
        assert await peer_certificate(served.port, ctx) == pki.server.der

        renewed = write_leaf(volume / "..v2", "tls", new_ca.issue_cert("127.0.0.1"))
        (volume / "..data.tmp").symlink_to("..v2")
        (volume / "..data.tmp").replace(volume / "..data")
        assert renewed.der != pki.server.der
        assert await peer_certificate(served.port, ctx) == renewed.der
        assert (await fetch(served.url(), ctx))[0] == 200

        # A broken renewal (a key that does not match) is refused: the last good pair stays.
        caplog.clear()
        mismatched = write_leaf(tmp_path / "x", "x", new_ca.issue_cert("127.0.0.1"))
        replace_file(volume / "..v2" / "tls.key", mismatched.key.read_bytes())
        with caplog.at_level(logging.ERROR, logger="pyexporter"):
            assert await peer_certificate(served.port, ctx) == renewed.der
            assert await peer_certificate(served.port, ctx) == renewed.der
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1  # reported once, not at every handshake
        assert "private key does not match public key" in errors[0].err
        assert "BEGIN" not in str(errors[0].__dict__)

        # Repaired: the new pair is served.
        replace_file(volume / "..v2" / "tls.crt", mismatched.cert.read_bytes())
        assert await peer_certificate(served.port, ctx) == mismatched.der


async def test_config_changes_apply_without_restart(tmp_path, pki, caplog):
    other_ca_file = tmp_path / "pki" / "second-client-ca.pem"
    second_ca = type(pki.client_ca)()
    other_ca_file.write_bytes(second_ca.cert_pem.bytes())
    second_client = write_leaf(tmp_path / "second", "c", second_ca.issue_cert("scraper.example"))

    def config_text(ca_file: Path, password: str) -> str:
        return tls_config(pki, f"  client_auth_type: RequireAndVerifyClientCert\n"
                               f"  client_ca_file: {ca_file}\nbasic_auth_users:\n"
                               f"  prom: {bcrypt_hash(password)}\n")

    config = write_config(tmp_path, config_text(pki.client_ca_file, "one"))
    async with serve(config, tmp_path) as served:
        first_ctx, second_ctx = pki.client_context(pki.client), pki.client_context(second_client)
        assert (await fetch(served.url(), first_ctx, ("prom", "one")))[0] == 200
        with pytest.raises(CONNECTION_REFUSED):
            await fetch(served.url(), second_ctx, ("prom", "one"))

        replace_file(config, config_text(other_ca_file, "two").encode())
        assert (await fetch(served.url(), second_ctx, ("prom", "two")))[0] == 200
        assert (await fetch(served.url(), second_ctx, ("prom", "one")))[0] == 401
        with pytest.raises(CONNECTION_REFUSED):
            await fetch(served.url(), first_ctx, ("prom", "two"))

        # An invalid file, or one that would drop TLS, leaves the running configuration in force.
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="pyexporter"):
            replace_file(config, b"tls_server_config:\n  cert_file: /nonexistent.pem\n  key_fle: x\n")
            assert (await fetch(served.url(), second_ctx, ("prom", "two")))[0] == 200
            replace_file(config, f"basic_auth_users:\n  prom: {bcrypt_hash('three')}\n".encode())
            assert (await fetch(served.url(), second_ctx, ("prom", "two")))[0] == 200
            assert (await fetch(served.url(), second_ctx, ("prom", "three")))[0] == 401
        messages = [r.err for r in caplog.records if r.levelno >= logging.ERROR]
        assert any("tls_server_config.key_fle: unknown key" in m for m in messages), messages
        assert any("needs a restart" in m for m in messages), messages


async def test_handshake_settings_change_without_restart(tmp_path, pki):
    config = write_config(tmp_path, tls_config(pki))
    client_ca = "".join(f"    {line}\n" for line in pki.client_ca_file.read_text().splitlines())
    require_cert = f"  client_auth_type: RequireAndVerifyClientCert\n  client_ca: |\n{client_ca}"

    def tls12_only(ctx: ssl.SSLContext) -> ssl.SSLContext:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        return ctx

    async with serve(config, tmp_path) as served:
        # A keep-alive connection made under the old settings: refused once they tighten.
        connector = aiohttp.TCPConnector(ssl=tls12_only(pki.client_context()))
        async with aiohttp.ClientSession(connector=connector) as session:
            async with session.get(served.url()) as resp:
                assert resp.status == 200
            replace_file(config, tls_config(pki, "  min_version: TLS13\n").encode())
            async with session.get(served.url()) as resp:
                assert resp.status == 403 and "node_webtest" not in await resp.text()
        with pytest.raises(CONNECTION_REFUSED):
            await fetch(served.url(), tls12_only(pki.client_context()))
        assert (await fetch(served.url(), pki.client_context()))[0] == 200

        # Noticed in a handshake: that connection started before the change and did not have to
        # show a certificate, so it gets 403; the next one is refused in the handshake.
        replace_file(config, tls_config(pki, "  min_version: TLS13\n" + require_cert).encode())
        status, _, body = await fetch(served.url(), pki.client_context())
        assert status == 403 and "node_webtest" not in body
        with pytest.raises(CONNECTION_REFUSED):
            await fetch(served.url(), pki.client_context())
        with pytest.raises(CONNECTION_REFUSED):
            await fetch(served.url(), tls12_only(pki.client_context(pki.client)))
        assert (await fetch(served.url(), pki.client_context(pki.client)))[0] == 200


PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"


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


async def test_an_empty_or_broken_file_keeps_the_configuration_in_force(tmp_path, caplog):
    # An editor or a tool truncating the file before writing it must not open the door for the
    # moment between the two (or for good, when the write never comes).
    config = write_config(tmp_path, f"basic_auth_users:\n  prom: {bcrypt_hash('pw')}\n")
    async with serve(config, tmp_path) as served:
        assert (await fetch(served.url()))[0] == 401
        refused = (b"", b"# being rewritten\n", b"---\n", b"\n\n",
                   b"basic_auth_users:\n  prom: $2b$04$tr",            # cut inside the hash
                   b"basic_auth_users: [\n",                           # does not parse
                   b"basic_auth_users:\n  prom: x\n  prom: y\n")       # a key twice
        for text in refused:
            caplog.clear()
            with caplog.at_level(logging.INFO, logger="pyexporter"):
                replace_file(config, text)
                assert (await fetch(served.url()))[0] == 401, text
                assert (await fetch(served.url(), auth=("prom", "pw")))[0] == 200, text
                assert (await fetch(served.url()))[0] == 401, text
            lines = [r for r in caplog.records if r.name.startswith("pyexporter")]
            # One line for the change, however many requests notice it.
            assert len(lines) == 1 and lines[0].levelno == logging.ERROR, (text, lines)
            assert lines[0].getMessage().startswith("Web config change not applied"), text
        assert "holds no settings" in lines[0].err or "basic_auth_users.prom" in lines[0].err


@pytest.mark.parametrize("text", [
    "basic_auth_users:\n",
    "basic_auth_users: {}\n",
    "http_server_config:\n  headers:\n    X-Frame-Options: deny\n",
    "{}\n",
])
async def test_turning_auth_off_takes_a_file_that_says_so(tmp_path, caplog, text):
    config = write_config(tmp_path, f"basic_auth_users:\n  prom: {bcrypt_hash('pw')}\n")
    async with serve(config, tmp_path) as served:
        assert (await fetch(served.url()))[0] == 401
        with caplog.at_level(logging.INFO, logger="pyexporter"):
            replace_file(config, text.encode())
            assert (await fetch(served.url()))[0] == 200
        reloaded = [r for r in caplog.records if r.getMessage() == "Web config reloaded"]
        assert len(reloaded) == 1 and reloaded[0].basic_auth_users == 0


def test_sighup_reloads_the_web_config_and_sigterm_still_ends_the_process(tmp_path):
    config = write_config(tmp_path, f"basic_auth_users:\n  prom: {bcrypt_hash('one')}\n")
    port = free_port()
    proc = start_exporter(config, port)
    url = f"http://127.0.0.1:{port}/metrics"

    def status(password: str) -> int:
        request = urllib.request.Request(url, headers={
            "Authorization": aiohttp.encode_basic_auth("prom", password)})
        try:
            with urllib.request.urlopen(request, timeout=5) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    try:
        stderr_lines_until(proc, "Listening on", 20)
        assert status("one") == 200
        # Unchanged file: SIGHUP still reloads, says so, and the process goes on.
        proc.send_signal(signal.SIGHUP)
        line = stderr_lines_until(proc, 'msg="Web config reloaded"', 10)[-1]
        assert "trigger=SIGHUP" in line and "basic_auth_users=1" in line
        # A new file, and no request to notice it: SIGHUP is what applies it.
        replace_file(config, (f"basic_auth_users:\n  prom: {bcrypt_hash('two')}\n"
                              f"  other: {bcrypt_hash('x')}\n").encode())
        proc.send_signal(signal.SIGHUP)
        line = stderr_lines_until(proc, 'msg="Web config reloaded"', 10)[-1]
        assert "trigger=SIGHUP" in line and "basic_auth_users=2" in line
        # An empty file on SIGHUP: refused in one line, the running configuration stays.
        replace_file(config, b"")
        proc.send_signal(signal.SIGHUP)
        line = stderr_lines_until(proc, "Web config change not applied", 10)[-1]
        assert "trigger=SIGHUP" in line and "holds no settings" in line
        assert proc.poll() is None
        assert status("one") == 401 and status("two") == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    finally:
        stop(proc)
