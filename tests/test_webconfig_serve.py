"""The web config on a live server: real TLS on 127.0.0.1, client certificates, basic auth,
headers, rate limit and reloading, scraped with aiohttp's client and with curl."""

from __future__ import annotations

import asyncio
import logging
import shutil
import ssl
import warnings
from pathlib import Path

import aiohttp
import pytest

import pyexporter.webconfig as webconfig
from tests.webconfig.support import PKI, bcrypt_hash, make_pki, replace_file, serve, write_leaf

CONNECTION_REFUSED = (aiohttp.ClientError, ssl.SSLError, ConnectionError)
# asyncio's server end drops a failed handshake without sending its alert: a reset for the client.
HANDSHAKE_REFUSED = (ssl.SSLError, ConnectionError)


@pytest.fixture
def pki(tmp_path: Path) -> PKI:
    return make_pki(tmp_path / "pki")


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


async def test_tls_scrape_with_aiohttp_and_plain_http_refused(tmp_path, pki):
    config = write_config(tmp_path, tls_config(pki))
    async with serve(config, tmp_path) as served:
        status, headers, body = await fetch(served.url(), pki.client_context())
        assert status == 200
        assert "node_webtest_value 42\n" in body
        assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
        assert await peer_certificate(served.port, pki.client_context()) == pki.server.der
        # A client that does not trust the server CA refuses the certificate.
        with pytest.raises(CONNECTION_REFUSED):
            await fetch(served.url(), ssl.create_default_context())
        # Plain HTTP to the TLS port gets nothing useful.
        with pytest.raises(CONNECTION_REFUSED):
            await fetch(served.url().replace("https://", "http://"))


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")
async def test_tls_scrape_with_curl_and_basic_auth(tmp_path, pki):
    config = write_config(tmp_path, tls_config(pki) + f"basic_auth_users:\n  prom: {bcrypt_hash('s3cret')}\n")
    async with serve(config, tmp_path) as served:
        async def curl(*args: str) -> tuple[str, str]:
            proc = await asyncio.create_subprocess_exec(
                "curl", "-sS", "--max-time", "10", "--cacert", str(pki.server_ca_file),
                "-w", "\n%{http_code} %{ssl_verify_result}", *args, served.url(),
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            out, err = await proc.communicate()
            return out.decode(), err.decode()

        out, err = await curl("-u", "prom:s3cret")
        assert out.endswith("\n200 0"), err
        assert "node_webtest_value 42\n" in out
        out, _ = await curl("-u", "prom:wrong")
        assert out.endswith("\n401 0")
        out, _ = await curl("--tlsv1.3")
        assert out.endswith("\n401 0")


async def test_tls_1_1_is_refused_by_default(tmp_path, pki):
    config = write_config(tmp_path, tls_config(pki))

    def legacy_context(side: ssl._SSLMethod, maximum: ssl.TLSVersion) -> ssl.SSLContext:
        ctx = ssl.SSLContext(side)
        # OpenSSL's security level refuses TLS 1.0/1.1 by itself; level 0 lets this side offer it.
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ssl.TLSVersion.TLSv1
            ctx.maximum_version = maximum
        return ctx

    def legacy_client(maximum: ssl.TLSVersion) -> ssl.SSLContext:
        ctx = legacy_context(ssl.PROTOCOL_TLS_CLIENT, maximum)
        ctx.load_verify_locations(str(pki.server_ca_file))
        return ctx

    # Control: this client does speak TLS 1.1 with a server that allows it.
    permissive = legacy_context(ssl.PROTOCOL_TLS_SERVER, ssl.TLSVersion.TLSv1_3)
    permissive.load_cert_chain(str(pki.server.cert), str(pki.server.key))
    versions = []

    async def on_connect(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        versions.append(writer.get_extra_info("ssl_object").version())
        writer.close()

    control = await asyncio.start_server(on_connect, "127.0.0.1", 0, ssl=permissive)
    try:
        port = control.sockets[0].getsockname()[1]
        await peer_certificate(port, legacy_client(ssl.TLSVersion.TLSv1_1))
        assert versions == ["TLSv1.1"]
    finally:
        control.close()
        await control.wait_closed()

    async with serve(config, tmp_path) as served:
        with pytest.raises(HANDSHAKE_REFUSED):
            await peer_certificate(served.port, legacy_client(ssl.TLSVersion.TLSv1_1))
        # The same client allowed TLS 1.2 connects: the refusal above was the version.
        assert await peer_certificate(served.port, legacy_client(ssl.TLSVersion.TLSv1_2)) == pki.server.der


async def test_max_version_tls12_refuses_a_tls13_only_client(tmp_path, pki):
    config = write_config(tmp_path, tls_config(pki, "  max_version: TLS12\n  cipher_suites: "
                                                     "[TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n"))
    async with serve(config, tmp_path) as served:
        ctx = pki.client_context()
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        with pytest.raises(HANDSHAKE_REFUSED):
            await peer_certificate(served.port, ctx)
        _reader, writer = await asyncio.open_connection("127.0.0.1", served.port, ssl=pki.client_context())
        try:
            sslobj = writer.get_extra_info("ssl_object")
            assert sslobj.version() == "TLSv1.2"
            assert sslobj.cipher()[0] == "ECDHE-ECDSA-AES128-GCM-SHA256"
        finally:
            writer.close()
            await writer.wait_closed()


async def test_client_certificate_required(tmp_path, pki):
    config = write_config(tmp_path, tls_config(
        pki, f"  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: {pki.client_ca_file}\n"))
    async with serve(config, tmp_path) as served:
        status, _, body = await fetch(served.url(), pki.client_context(pki.client))
        assert status == 200 and "node_webtest_value 42" in body
        with pytest.raises(CONNECTION_REFUSED):
            await fetch(served.url(), pki.client_context())
        # A certificate from a CA the server does not trust is refused too.
        stranger = write_leaf(tmp_path / "stranger", "c", pki.server_ca.issue_cert("scraper.example"))
        with pytest.raises(CONNECTION_REFUSED):
            await fetch(served.url(), pki.client_context(stranger))


async def test_verify_client_cert_if_given(tmp_path, pki):
    config = write_config(tmp_path, tls_config(
        pki, f"  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: {pki.client_ca_file}\n"))
    async with serve(config, tmp_path) as served:
        assert (await fetch(served.url(), pki.client_context()))[0] == 200
        assert (await fetch(served.url(), pki.client_context(pki.client)))[0] == 200
        stranger = write_leaf(tmp_path / "stranger", "c", pki.server_ca.issue_cert("scraper.example"))
        with pytest.raises(CONNECTION_REFUSED):
            await fetch(served.url(), pki.client_context(stranger))


async def test_client_allowed_sans(tmp_path, pki):
    config = write_config(tmp_path, tls_config(
        pki, f"  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: {pki.client_ca_file}\n"
             "  client_allowed_sans: [10.0.0.1, other.example]\n"))
    async with serve(config, tmp_path) as served:
        status, _, body = await fetch(served.url(), pki.client_context(pki.client))
        assert status == 200 and "node_webtest_value 42" in body
        status, _, body = await fetch(served.url(), pki.client_context(pki.other_client))
        assert status == 403 and "node_webtest" not in body


async def test_basic_auth(tmp_path, pki, monkeypatch):
    hashed = bcrypt_hash("s3cret")
    config = write_config(tmp_path, tls_config(pki) + f"basic_auth_users:\n  prom: {hashed}\n"
                          f"  other: {bcrypt_hash('x')}\n")
    checks: list[bytes] = []
    real_check = webconfig.check_password

    def counting_check(password: bytes, candidate: bytes) -> bool:
        checks.append(candidate)
        return real_check(password, candidate)

    monkeypatch.setattr(webconfig, "check_password", counting_check)
    ctx = pki.client_context()
    async with serve(config, tmp_path) as served:
        for path in ("/metrics", "/", "/nowhere"):
            status, headers, body = await fetch(served.url(path), ctx)
            assert (status, headers.get("WWW-Authenticate"), body) == (401, "Basic", "Unauthorized\n")
        assert checks == []  # no header: nothing to verify

        for auth in (("prom", "wrong"), ("nobody", "s3cret"), ("Prom", "s3cret"), ("prom", "")):
            status, headers, _ = await fetch(served.url(), ctx, auth)
            assert (status, headers.get("WWW-Authenticate")) == (401, "Basic"), auth
        # Every wrong attempt costs a full bcrypt round, the unknown users' against a hash of the
        # same cost as the real one, so that both take the same time.
        assert len(checks) == 4
        assert checks[0] == hashed.encode()
        assert checks[1] != hashed.encode() and checks[1][:7] == hashed.encode()[:7]

        malformed = ("Basic", "Basic !!!", "Bearer abc", "Basic " + "cHJvbQ==")  # last: no colon
        for header in malformed:
            status, _, _ = await fetch(served.url(), ctx, headers={"Authorization": header})
            assert status == 401, header

        checks.clear()
        for _ in range(3):
            status, _, body = await fetch(served.url(), ctx, ("prom", "s3cret"))
            assert status == 200 and "node_webtest_value 42" in body
        status, _, _ = await fetch(served.url(), ctx, headers={
            "Authorization": "bAsIc " + aiohttp.encode_basic_auth("prom", "s3cret")[6:]})
        assert status == 200
        # Cached after the first success.
        assert len(checks) == 1
        # A wrong password right after a cached success is still refused.
        assert (await fetch(served.url(), ctx, ("prom", "s3cret!")))[0] == 401


async def test_basic_auth_without_tls_and_headers(tmp_path):
    config = write_config(tmp_path, f"""
basic_auth_users:
  prom: {bcrypt_hash('pw')}
http_server_config:
  http2: false
  headers:
    X-Frame-Options: deny
    X-Content-Type-Options: nosniff
    Content-Security-Policy: "default-src 'none'"
    Strict-Transport-Security: ""
""")
    async with serve(config, tmp_path) as served:
        assert served.url().startswith("http://")
        for auth, expected in ((None, 401), (("prom", "pw"), 200)):
            status, headers, _ = await fetch(served.url(), None, auth)
            assert status == expected
            assert headers["X-Frame-Options"] == "deny"
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["Content-Security-Policy"] == "default-src 'none'"
            assert "Strict-Transport-Security" not in headers
        status, headers, _ = await fetch(served.url("/"), None, ("prom", "pw"))
        assert status == 200 and headers["X-Frame-Options"] == "deny"


async def test_rate_limit(tmp_path):
    config = write_config(tmp_path, "rate_limit:\n  interval: 1h\n  burst: 2\n")
    async with serve(config, tmp_path) as served:
        statuses = [(await fetch(served.url()))[0] for _ in range(3)]
        assert statuses == [200, 200, 429]


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


async def test_logs_hold_no_secrets(tmp_path, pki, caplog):
    hashed = bcrypt_hash("hunter2-password")
    key_text = pki.server.key.read_text()
    inline = "".join(f"    {line}\n" for line in key_text.splitlines())
    config = write_config(tmp_path, (
        f"tls_server_config:\n  cert_file: {pki.server.cert}\n  key: |\n{inline}"
        f"basic_auth_users:\n  prom: {hashed}\n"))
    with caplog.at_level(logging.DEBUG):
        async with serve(config, tmp_path) as served:
            ctx = pki.client_context()
            assert (await fetch(served.url(), ctx, ("prom", "hunter2-password")))[0] == 200
            assert (await fetch(served.url(), ctx, ("prom", "hunter2-wrong")))[0] == 401
            replace_file(config, config.read_bytes().replace(b"prom: $2", b"prom: x$2"))
            assert (await fetch(served.url(), ctx, ("prom", "hunter2-password")))[0] == 200
    logged = "\n".join(str(r.__dict__) for r in caplog.records)
    assert "basic_auth_users.prom: invalid bcrypt hash" in logged  # the reload error was logged
    for secret in ("hunter2", hashed, hashed[7:], "PRIVATE KEY", key_text.splitlines()[1][:20]):
        assert secret not in logged


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
