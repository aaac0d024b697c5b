"""TLS (pyexporter.webconfig.tls): the SSLContext built from tls_server_config, checked offline and
on a live server on 127.0.0.1 (aiohttp's client, legacy clients, client certificates)."""

from __future__ import annotations

import asyncio
import ssl
import warnings
from pathlib import Path

import pytest

from pyexporter.errors import ConfigError
from pyexporter.webconfig.config import parse_web_config
from pyexporter.webconfig.running import load_web_config
from pyexporter.webconfig.tls import build_ssl_context, client_sans
from tests.webconfig.support import (
    CONNECTION_REFUSED,
    HANDSHAKE_REFUSED,
    fetch,
    make_pki,
    peer_certificate,
    serve,
    tls_config,
    write_config,
    write_leaf,
)


def parse(text: str, path: str = "/etc/pyexporter/web.yml"):
    return parse_web_config(text.encode(), path)


TLS_INVALID = [
    ("tls_server_config:\n  client_auth_type: NoClientCert\n",
     "tls_server_config: missing one of cert or cert_file"),
    ("tls_server_config:\n  cert_file: {cert}\n", "tls_server_config: missing one of key or key_file"),
    ("tls_server_config:\n  cert_file: missing.crt\n  key_file: {key}\n",
     "tls_server_config.cert_file: failed to read {dir}/missing.crt: No such file or directory"),
    ("tls_server_config:\n  cert_file: {cert}\n  key_file: {dir}\n",
     "tls_server_config.key_file: failed to read {dir}: Is a directory"),
    ("tls_server_config:\n  cert_file: {key}\n  key_file: {key}\n", "failed to load X509 key pair"),
    ("tls_server_config:\n  cert_file: {cert}\n  key_file: {other_key}\n",
     "failed to load X509 key pair (cert_file, key_file): private key does not match public key"),
    ("tls_server_config:\n  cert: garbage\n  key_file: {key}\n",
     "failed to load X509 key pair (cert, key_file)"),
    ("{tls}  client_ca_file: {ca}\n",
     "tls_server_config.client_auth_type: client CA's have been configured without a Client Auth Policy"),
    ("{tls}  client_auth_type: RequireAndVerifyClientCert\n",
     "tls_server_config.client_auth_type: RequireAndVerifyClientCert needs client_ca_file or client_ca"),
    ("{tls}  client_auth_type: RequireAnyClientCert\n", "RequireAnyClientCert needs client_ca_file"),
    ("{tls}  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: {cert_dir}/nope.pem\n",
     "tls_server_config.client_ca_file: failed to read"),
    ("{tls}  client_auth_type: VerifyClientCertIfGiven\n  client_ca: not a certificate\n",
     "tls_server_config.client_ca: no valid PEM CA certificate found"),
    ("{tls}  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: {ca}\n  client_allowed_sans: [a]\n",
     "tls_server_config.client_allowed_sans: client_allowed_sans requires client_auth_type"),
    ("{tls}  client_allowed_sans: []\n", "client_allowed_sans requires client_auth_type"),
    ("{tls}  min_version: TLS13\n  max_version: TLS12\n",
     "tls_server_config.min_version: min_version is above"),
    ("{tls}  max_version: TLS12\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n",
     "tls_server_config.cipher_suites: only TLS 1.3 suites"),
]


@pytest.mark.parametrize(("template", "expected"), TLS_INVALID)
def test_invalid_tls_settings(tmp_path, template, expected):
    pki = make_pki(tmp_path / "pki")
    other = make_pki(tmp_path / "other")
    text = template.format(
        tls=tls_config(pki), cert=pki.server.cert, key=pki.server.key, other_key=other.server.key,
        ca=pki.client_ca_file, dir=tmp_path, cert_dir=pki.folder)
    path = tmp_path / "web.yml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_web_config(str(path))
    message = str(err.value)
    assert message.startswith(f"--web.config.file={path}: ")
    assert expected.format(dir=tmp_path) in message, message
    assert "\n" not in message and "BEGIN" not in message


def test_inline_certificate_key_and_client_ca(tmp_path):
    pki = make_pki(tmp_path)

    def block(path: Path) -> str:
        return "|\n" + "".join(f"    {line}\n" for line in path.read_text().splitlines())

    config = parse(f"tls_server_config:\n  cert: {block(pki.server.cert)}  key: {block(pki.server.key)}"
                   f"  client_ca: {block(pki.client_ca_file)}  client_auth_type: VerifyClientCertIfGiven\n")
    assert "BEGIN" not in repr(config)  # key material stays out of reprs (and so out of logs)
    ctx = build_ssl_context(config.tls)
    assert ctx.verify_mode == ssl.CERT_OPTIONAL
    assert [c["subject"] for c in ctx.get_ca_certs()] != []
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_2


def test_client_auth_type_mapping(tmp_path):
    pki = make_pki(tmp_path)
    modes = {}
    for name in ("NoClientCert", "RequestClientCert", "RequireAnyClientCert", "RequireClientCert",
                 "VerifyClientCertIfGiven", "RequireAndVerifyClientCert"):
        ca = f"  client_ca_file: {pki.client_ca_file}\n" if name not in ("NoClientCert",) else ""
        config = parse(tls_config(pki, f"  client_auth_type: {name}\n{ca}"))
        modes[name] = build_ssl_context(config.tls).verify_mode
    assert modes == {
        "NoClientCert": ssl.CERT_NONE, "RequestClientCert": ssl.CERT_NONE,
        "RequireAnyClientCert": ssl.CERT_REQUIRED, "RequireClientCert": ssl.CERT_REQUIRED,
        "VerifyClientCertIfGiven": ssl.CERT_OPTIONAL, "RequireAndVerifyClientCert": ssl.CERT_REQUIRED,
    }


def test_cipher_and_curve_settings(tmp_path):
    pki = make_pki(tmp_path)
    config = parse(tls_config(pki, "  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "
                                 "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA]\n  prefer_server_cipher_suites: false\n"
                                 "  curve_preferences: [CurveP384, X25519]\n"))
    ctx = build_ssl_context(config.tls)
    tls12 = [c["name"] for c in ctx.get_ciphers() if c["protocol"] != "TLSv1.3"]
    assert tls12 == ["ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA"]
    assert not ctx.options & ssl.OP_CIPHER_SERVER_PREFERENCE
    only13 = parse(tls_config(pki, "  cipher_suites: [TLS_AES_256_GCM_SHA384]\n"))
    assert build_ssl_context(only13.tls).minimum_version == ssl.TLSVersion.TLSv1_3


def test_client_sans_as_go_prints_them():
    peercert = {"subjectAltName": (
        ("DNS", "scraper.example"), ("email", "ops@example.org"), ("IP Address", "10.0.0.1"),
        ("IP Address", "2001:DB8:0:0:0:0:0:1\n"), ("URI", "spiffe://cluster/ns/monitoring"),
        ("DirName", (("CN", "x"),)),
    )}
    assert client_sans(peercert) == {"scraper.example", "ops@example.org", "10.0.0.1", "2001:db8::1",
                                     "spiffe://cluster/ns/monitoring"}
    assert client_sans(None) == set() and client_sans({}) == set()


def test_encrypted_key_is_refused_without_a_prompt(tmp_path):
    from cryptography.hazmat.primitives import serialization

    pki = make_pki(tmp_path)
    key = serialization.load_pem_private_key(pki.server.key.read_bytes(), password=None)
    encrypted = tmp_path / "encrypted.key"
    encrypted.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.BestAvailableEncryption(b"passphrase")))
    config = parse(f"tls_server_config:\n  cert_file: {pki.server.cert}\n  key_file: {encrypted}\n")
    with pytest.raises(ConfigError, match=r"failed to load X509 key pair \(cert_file, key_file\): the key is "
                                          "encrypted"):
        build_ssl_context(config.tls)


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
