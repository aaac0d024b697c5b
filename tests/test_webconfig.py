"""The web config file format: parsing, validation messages, and the small pieces (durations,
bcrypt hashes, the Authorization header, the token bucket, the auth cache, client SANs)."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from pyexporter.errors import ConfigError
from pyexporter.webconfig import (
    AuthCache,
    TokenBucket,
    bcrypt_hash_problem,
    build_ssl_context,
    check_password,
    client_sans,
    dummy_hash,
    load_web_config,
    parse_basic_auth,
    parse_web_config,
)
from tests.webconfig.support import bcrypt_hash, make_pki

HASH = bcrypt_hash("pw")


def parse(text: str, path: str = "/etc/pyexporter/web.yml"):
    return parse_web_config(text.encode(), path)


def test_empty_file_means_plain_http_without_auth():
    for text in ("", "# nothing\n", "---\n", "tls_server_config:\nhttp_server_config:\n"):
        config = parse(text)
        assert not config.tls.enabled
        assert config.users == {} and config.headers == () and config.rate_interval == 0


def test_full_file():
    config = parse(f"""
tls_server_config:
  cert_file: server.crt
  key_file: /abs/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca/clients.pem
  client_allowed_sans: [scraper.example, 10.0.0.1]
  min_version: TLS13
  max_version: TLS13
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]
  curve_preferences: [X25519, CurveP256]
  prefer_server_cipher_suites: false
http_server_config:
  http2: false
  headers:
    X-Frame-Options: sameorigin
    Strict-Transport-Security: max-age=31536000
basic_auth_users:
  alice: {HASH}
  "1234": '{HASH}'
rate_limit:
  interval: 1m30s
  burst: 5
""")
    tls = config.tls
    # Relative names are resolved against the config file's folder, absolute ones kept.
    assert tls.cert_file == "/etc/pyexporter/server.crt"
    assert tls.key_file == "/abs/server.key"
    assert tls.client_ca_file == "/etc/pyexporter/ca/clients.pem"
    assert tls.client_auth_type == "RequireAndVerifyClientCert"
    assert tls.client_allowed_sans == ("scraper.example", "10.0.0.1")
    assert tls.min_version == tls.max_version == ssl.TLSVersion.TLSv1_3
    assert tls.cipher_suites == ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256")
    assert tls.curve_preferences == ("X25519", "CurveP256")
    assert tls.prefer_server_cipher_suites is False
    assert tls.enabled
    assert config.http2 is False
    assert config.headers == (("X-Frame-Options", "sameorigin"),
                              ("Strict-Transport-Security", "max-age=31536000"))
    assert config.users == {b"alice": HASH.encode(), b"1234": HASH.encode()}
    assert (config.rate_interval, config.rate_burst) == (90.0, 5)


def test_defaults_and_relative_to_working_directory():
    config = parse("tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n", path="web.yml")
    tls = config.tls
    assert tls.cert_file == "./a.crt"
    assert tls.min_version == ssl.TLSVersion.TLSv1_2 and tls.max_version == ssl.TLSVersion.TLSv1_3
    assert tls.client_auth_type == "NoClientCert" and tls.prefer_server_cipher_suites
    assert config.http2 is True


def test_yaml_details_as_go_yaml_reads_them():
    # Any scalar is a string field's text; a bare integer interval is nanoseconds; anchors and
    # merge keys work; a null boolean is false (Go's zero value).
    config = parse("""
tls_server_config: &t
  cert_file: 1234
  key_file: k.pem
  prefer_server_cipher_suites:
rate_limit: {interval: 2000000000, burst: 0x10}
""")
    assert config.tls.cert_file == "/etc/pyexporter/1234"
    assert config.tls.prefer_server_cipher_suites is False
    assert (config.rate_interval, config.rate_burst) == (2.0, 16)
    merged = parse("""
http_server_config:
  headers: &h {X-Frame-Options: deny}
  http2: yes
tls_server_config:
  <<: {cert_file: a, key_file: b}
  key_file: c
""")
    assert merged.tls.cert_file.endswith("/a") and merged.tls.key_file.endswith("/c")
    assert merged.http2 is True


INVALID = [
    # (file text, the key the message names, a fragment of the problem)
    ("tls_server_config: [a]\n", "tls_server_config", "expected a mapping"),
    ("- a\n- b\n", "top level", "expected a mapping"),
    ("tls_server_config:\n  cert_file: a\n  key_fle: b\n", "tls_server_config.key_fle", "unknown key"),
    ("tls_config:\n  cert_file: a\n", "tls_config", "unknown key"),
    ("http_server_config:\n  http3: true\n", "http_server_config.http3", "unknown key"),
    ("rate_limit:\n  bursts: 1\n", "rate_limit.bursts", "unknown key"),
    ("tls_server_config:\n  cert_file: a\n  cert_file: b\n", "tls_server_config.cert_file", "given twice"),
    ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Yes please\n",
     "tls_server_config.client_auth_type", "invalid ClientAuth: Yes please"),
    ("tls_server_config:\n  min_version: TLS14\n", "tls_server_config.min_version", "unknown TLS version"),
    ("tls_server_config:\n  max_version: 1.3\n", "tls_server_config.max_version", "unknown TLS version"),
    ("tls_server_config:\n  cipher_suites: [TLS_RSA_WITH_AES_128_GCM_SHA256]\n",
     "tls_server_config.cipher_suites[0]", "unknown cipher: TLS_RSA_WITH_AES_128_GCM_SHA256"),
    ("tls_server_config:\n  cipher_suites: TLS_AES_128_GCM_SHA256\n", "tls_server_config.cipher_suites",
     "expected a list"),
    ("tls_server_config:\n  curve_preferences: [X25519, P-256]\n", "tls_server_config.curve_preferences[1]",
     "unknown curve: P-256"),
    ("tls_server_config:\n  prefer_server_cipher_suites: maybe\n",
     "tls_server_config.prefer_server_cipher_suites", "expected true or false"),
    ("http_server_config:\n  http2: 1\n", "http_server_config.http2", "expected true or false"),
    ("http_server_config:\n  headers:\n    Server: x\n", "http_server_config.headers",
     "HTTP header 'Server' can not be configured"),
    ("http_server_config:\n  headers:\n    X-Frame-Options: DENY\n",
     "http_server_config.headers.X-Frame-Options", "invalid value for X-Frame-Options"),
    ("http_server_config:\n  headers:\n    X-Content-Type-Options: ''\n",
     "http_server_config.headers.X-Content-Type-Options", "invalid value"),
    ("http_server_config:\n  headers:\n    X-XSS-Protection: \"1\\r\\nSet-Cookie: a=b\"\n",
     "http_server_config.headers.X-XSS-Protection", "line breaks"),
    ("basic_auth_users:\n  alice: not-a-hash\n", "basic_auth_users.alice", "too short"),
    ("basic_auth_users:\n  alice:\n", "basic_auth_users.alice", "too short"),
    ("basic_auth_users:\n  alice: [a]\n", "basic_auth_users.alice", "expected a string"),
    ("basic_auth_users: [alice]\n", "basic_auth_users", "expected a mapping"),
    (f"basic_auth_users:\n  bob: '{HASH[:4]}99{HASH[6:]}'\n", "basic_auth_users.bob", "cost 99 is outside"),
    (f"basic_auth_users:\n  bob: '{HASH[:-1]}!'\n", "basic_auth_users.bob", "malformed bcrypt hash"),
    (f"basic_auth_users:\n  bob: '{HASH}\n\n'\n", "basic_auth_users.bob", "malformed bcrypt hash"),
    ("basic_auth_users:\n  bob: '%s'\n" % ("$1$" + "a" * 57), "basic_auth_users.bob", "not a bcrypt hash"),
    ("rate_limit:\n  interval: 1d\n", "rate_limit.interval", "invalid duration"),
    ("rate_limit:\n  interval: 10\n  burst: many\n", "rate_limit.burst", "expected an integer"),
    ("rate_limit:\n  interval: '10'\n", "rate_limit.interval", "missing unit"),
]


@pytest.mark.parametrize(("text", "key", "problem"), INVALID)
def test_invalid_files_name_the_key(text, key, problem):
    with pytest.raises(ConfigError) as err:
        parse(text)
    message = str(err.value)
    assert message.startswith(f"{key}: "), message
    assert problem in message
    assert "\n" not in message


def test_invalid_yaml_gives_position_but_never_the_line():
    text = f"basic_auth_users:\n  alice: {HASH}\n\tbob: x\n"
    with pytest.raises(ConfigError) as err:
        parse(text)
    message = str(err.value)
    assert message.startswith("invalid YAML: ") and "line 3" in message
    assert HASH not in message and HASH[7:20] not in message
    with pytest.raises(ConfigError, match="not valid utf-8"):
        parse_web_config(b"tls_server_config: \xff\n", "/web.yml")
    with pytest.raises(ConfigError, match="single document"):
        parse("a: 1\n---\nb: 2\n")


def tls_file(pki, extra: str = "") -> str:
    return f"tls_server_config:\n  cert_file: {pki.server.cert}\n  key_file: {pki.server.key}\n{extra}"


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
        tls=tls_file(pki), cert=pki.server.cert, key=pki.server.key, other_key=other.server.key,
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
        config = parse(tls_file(pki, f"  client_auth_type: {name}\n{ca}"))
        modes[name] = build_ssl_context(config.tls).verify_mode
    assert modes == {
        "NoClientCert": ssl.CERT_NONE, "RequestClientCert": ssl.CERT_NONE,
        "RequireAnyClientCert": ssl.CERT_REQUIRED, "RequireClientCert": ssl.CERT_REQUIRED,
        "VerifyClientCertIfGiven": ssl.CERT_OPTIONAL, "RequireAndVerifyClientCert": ssl.CERT_REQUIRED,
    }


def test_cipher_and_curve_settings(tmp_path):
    pki = make_pki(tmp_path)
    config = parse(tls_file(pki, "  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "
                                 "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA]\n  prefer_server_cipher_suites: false\n"
                                 "  curve_preferences: [CurveP384, X25519]\n"))
    ctx = build_ssl_context(config.tls)
    tls12 = [c["name"] for c in ctx.get_ciphers() if c["protocol"] != "TLSv1.3"]
    assert tls12 == ["ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA"]
    assert not ctx.options & ssl.OP_CIPHER_SERVER_PREFERENCE
    only13 = parse(tls_file(pki, "  cipher_suites: [TLS_AES_256_GCM_SHA384]\n"))
    assert build_ssl_context(only13.tls).minimum_version == ssl.TLSVersion.TLSv1_3


def test_plain_http_when_no_tls_key_is_set(tmp_path):
    path = tmp_path / "web.yml"
    path.write_text("tls_server_config:\n  min_version: TLS13\nbasic_auth_users:\n  a: " + HASH + "\n")
    security = load_web_config(str(path))
    assert security.ssl_context() is None and len(security.middlewares()) == 1


@pytest.mark.parametrize(("hashed", "problem"), [
    (HASH, None),
    (HASH.replace("$2b$", "$2y$"), None),
    (HASH.replace("$2b$", "$2a$"), None),
    ("", "too short"),
    ("x" * 60, "must start with '$'"),
    (HASH.replace("$2b$", "$3b$"), "not a bcrypt hash"),
    (HASH.replace("$2b$", "$2c$"), "malformed"),
    (HASH[:7] + "*" + HASH[8:], "malformed"),
    (HASH + "x", "malformed"),
    (HASH[:4] + "03" + HASH[6:], "cost 3 is outside"),
    (HASH[:4] + "32" + HASH[6:], "cost 32 is outside"),
])
def test_bcrypt_hash_problem(hashed, problem):
    found = bcrypt_hash_problem(hashed.encode())
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found
        assert hashed[7:] not in found if len(hashed) > 20 else True


def test_check_password_as_go_compares():
    assert check_password(b"pw", HASH.encode())
    assert not check_password(b"pw ", HASH.encode())
    long = bcrypt_hash("y" * 72)
    # bcrypt uses 72 bytes; Go ignores the rest rather than failing.
    assert check_password(b"y" * 80, long.encode())
    assert not check_password(b"\0", HASH.encode())
    tampered = HASH[:40] + ("a" if HASH[40] != "a" else "b") + HASH[41:]
    assert not check_password(b"pw", tampered.encode())


def test_dummy_hash_matches_the_users_cost_and_nothing():
    users = {b"a": bcrypt_hash("x", 5).encode(), b"b": bcrypt_hash("y", 5).encode(),
             b"c": bcrypt_hash("z", 4).encode()}
    dummy = dummy_hash(users)
    assert dummy.startswith(b"$2b$05$") and bcrypt_hash_problem(dummy) is None
    for password in (b"x", b"y", b"z", b""):
        assert not check_password(password, dummy)
    assert dummy_hash({}).startswith(b"$2b$10$")
    assert dummy_hash(users) != dummy  # fresh salt each time


@pytest.mark.parametrize(("header", "expected"), [
    ("Basic YWxpY2U6cHc=", (b"alice", b"pw")),
    ("basic YWxpY2U6cHc=", (b"alice", b"pw")),
    ("BASIC YWxpY2U6cDp3", (b"alice", b"p:w")),
    ("Basic OnB3", (b"", b"pw")),
    ("Basic YWxpY2U6", (b"alice", b"")),
    (None, None), ("", None), ("Basic", None), ("Basic ", None), ("Bearer YWxpY2U6cHc=", None),
    ("Basic YWxpY2U", None),            # unpadded: Go's StdEncoding refuses it
    ("Basic YWxpY2U=", None),           # no colon
    ("Basic YWxp Y2U6cHc=", None),
    ("Basic w6k6w6k=", (b"\xc3\xa9", b"\xc3\xa9")),
    ("Basic \u00e9", None),
])
def test_parse_basic_auth(header, expected):
    assert parse_basic_auth(header) == expected


def test_token_bucket():
    now = [100.0]
    bucket = TokenBucket(interval=10.0, burst=2, clock=lambda: now[0])
    assert [bucket.allow() for _ in range(3)] == [True, True, False]
    now[0] += 5
    assert not bucket.allow()
    now[0] += 5
    assert bucket.allow() and not bucket.allow()
    now[0] += 1000
    assert [bucket.allow() for _ in range(3)] == [True, True, False]
    assert not TokenBucket(interval=1.0, burst=0, clock=lambda: now[0]).allow()


def test_auth_cache():
    now = [0.0]
    cache = AuthCache(ttl=60, entries=2, clock=lambda: now[0])
    k1 = cache.key(b"alice", HASH.encode(), b"pw")
    assert k1 == cache.key(b"alice", HASH.encode(), b"pw")
    assert k1 != cache.key(b"alice", HASH.encode(), b"pw2")
    assert k1 != cache.key(b"alic", HASH.encode(), b"epw")
    assert b"pw" not in k1 and len(k1) == 32
    assert not cache.hit(k1)
    cache.add(k1)
    assert cache.hit(k1)
    now[0] = 61
    assert not cache.hit(k1)
    k2, k3 = cache.key(b"b", b"h", b"p"), cache.key(b"c", b"h", b"p")
    cache.add(k1)
    cache.add(k2)
    cache.add(k3)
    assert not cache.hit(k1) and cache.hit(k2) and cache.hit(k3)
    # Another process (or restart) never shares keys.
    assert AuthCache().key(b"b", b"h", b"p") != k2


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
