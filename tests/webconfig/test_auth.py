"""Authentication and headers (pyexporter.webconfig.auth): bcrypt hashes as Go reads them, the
Authorization header, the token bucket, the cache of successes, and basic auth, headers and the rate
limit on a live server (aiohttp's client and curl)."""

from __future__ import annotations

import asyncio
import logging
import shutil

import aiohttp
import pytest

import pyexporter.webconfig.auth as webconfig_auth
from pyexporter.webconfig.auth import (
    AuthCache,
    TokenBucket,
    bcrypt_hash_problem,
    check_password,
    dummy_hash,
    parse_basic_auth,
)
from tests.webconfig.support import bcrypt_hash, fetch, replace_file, serve, tls_config, write_config

HASH = bcrypt_hash("pw")


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


async def test_basic_auth(tmp_path, pki, monkeypatch):
    hashed = bcrypt_hash("s3cret")
    config = write_config(tmp_path, tls_config(pki) + f"basic_auth_users:\n  prom: {hashed}\n"
                          f"  other: {bcrypt_hash('x')}\n")
    checks: list[bytes] = []
    real_check = webconfig_auth.check_password

    def counting_check(password: bytes, candidate: bytes) -> bool:
        checks.append(candidate)
        return real_check(password, candidate)

    monkeypatch.setattr(webconfig_auth, "check_password", counting_check)
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
