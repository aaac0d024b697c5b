"""Helpers for the web config tests: certificates (trustme), config files, a live TLS server, clients,
and the real process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
import subprocess
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import bcrypt
import trustme
from aiohttp import web

from pyexporter.connections import BoundedSite, ConnectionLimits, ConnectionTracker
from pyexporter.metrics import MetricFamily, gauge
from pyexporter.registry import Collector
from pyexporter.server import build_app
from pyexporter.settings import Settings
from pyexporter.webconfig.running import WebSecurity, load_web_config
from tests.support import make_settings, start_pyexporter

#: Cheap enough for tests; production hashes use 10 or more.
TEST_COST = 4


def bcrypt_hash(password: str, cost: int = TEST_COST) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=cost)).decode()


@dataclass
class Leaf:
    cert: Path
    key: Path
    #: The certificate in DER, as a client sees it with getpeercert(binary_form=True).
    der: bytes


def write_leaf(folder: Path, name: str, leaf: trustme.LeafCert) -> Leaf:
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / f"{name}.crt", folder / f"{name}.key"
    cert.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    key.write_bytes(leaf.private_key_pem.bytes())
    return Leaf(cert, key, ssl.PEM_cert_to_DER_cert(leaf.cert_chain_pems[0].bytes().decode()))


def write_ca(folder: Path, name: str, ca: trustme.CA) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.pem"
    path.write_bytes(ca.cert_pem.bytes())
    return path


@dataclass
class PKI:
    """A server CA with a server certificate for 127.0.0.1, and a client CA with two clients."""

    folder: Path
    server_ca: trustme.CA
    client_ca: trustme.CA
    server_ca_file: Path
    client_ca_file: Path
    server: Leaf
    client: Leaf
    other_client: Leaf

    def client_context(self, leaf: Leaf | None = None) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(self.server_ca_file))
        if leaf is not None:
            ctx.load_cert_chain(str(leaf.cert), str(leaf.key))
        return ctx


def make_pki(folder: Path) -> PKI:
    server_ca, client_ca = trustme.CA(), trustme.CA()
    return PKI(
        folder=folder,
        server_ca=server_ca,
        client_ca=client_ca,
        server_ca_file=write_ca(folder, "server-ca", server_ca),
        client_ca_file=write_ca(folder, "client-ca", client_ca),
        server=write_leaf(folder, "server", server_ca.issue_cert("127.0.0.1", "localhost")),
        client=write_leaf(folder, "client", client_ca.issue_cert("scraper.example", "10.0.0.1")),
        other_client=write_leaf(folder, "other", client_ca.issue_cert("intruder.example")),
    )


class OneGauge(Collector):
    name = "webtest"

    def __init__(self, settings: Settings):
        super().__init__(settings)
        self.desc = gauge("node_webtest_value", "A value for the web config tests.")

    def collect(self) -> list[MetricFamily]:
        return [self.desc.one(42)]


@dataclass
class Served:
    security: WebSecurity
    port: int

    def url(self, path: str = "/metrics") -> str:
        scheme = "https" if self.security.ssl_context() is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}{path}"


@contextlib.asynccontextmanager
async def serve(config_file: Path, tmp_path: Path) -> AsyncIterator[Served]:
    """pyexporter's app behind the web config, on a free loopback port, as server.run() wires it."""
    settings = make_settings(tmp_path / "root", "--collector.disable-defaults")
    security = load_web_config(str(config_file))
    tracker = ConnectionTracker(ConnectionLimits())
    middlewares = [tracker.middleware(), *security.middlewares()]
    app = build_app(settings, {"webtest": OneGauge(settings)}, middlewares)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = BoundedSite(runner, tracker, host="127.0.0.1", port=0, ssl_context=security.ssl_context())
    try:
        await site.start()
        port = runner.addresses[0][1]
        yield Served(security, port)
    finally:
        await runner.cleanup()
        security.close()


def replace_file(path: Path, data: bytes) -> None:
    """Write as a Secret volume or cert-manager does: a new file renamed over the old one."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


#: What a client sees when the server refuses its connection (TLS or plain).
CONNECTION_REFUSED = (aiohttp.ClientError, ssl.SSLError, ConnectionError)


# asyncio's server end drops a failed handshake without sending its alert: a reset for the client.
HANDSHAKE_REFUSED = (ssl.SSLError, ConnectionError)


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "web.yml"
    path.write_text(text)
    return path


def tls_config(pki: PKI, extra: str = "") -> str:
    return f"tls_server_config:\n  cert_file: {pki.server.cert}\n  key_file: {pki.server.key}\n{extra}"


async def fetch(url: str, ctx: ssl.SSLContext | None = None, auth: tuple[str, str] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """One request on a fresh connection (a new handshake each time)."""
    all_headers = dict(headers or {})
    if auth is not None:
        all_headers["Authorization"] = aiohttp.encode_basic_auth(*auth)
    connector = aiohttp.TCPConnector(ssl=ctx if ctx is not None else False, force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:
        async with session.get(url, headers=all_headers) as resp:
            return resp.status, dict(resp.headers), await resp.text()


async def peer_certificate(port: int, ctx: ssl.SSLContext) -> bytes:
    _reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ctx)
    try:
        der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    finally:
        writer.close()
        await writer.wait_closed()
    return der


def start_exporter(config: Path, port: int, *extra: str) -> subprocess.Popen[str]:
    return start_pyexporter(port, f"--web.config.file={config}", *extra, stdout=subprocess.PIPE)


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
