"""Reading and validating the file (pyexporter.webconfig.config): the YAML as Go's yaml.v2 reads
it, every key and value checked, errors that name the key and never the value."""

from __future__ import annotations

import ssl

import pytest

from pyexporter.errors import ConfigError
from pyexporter.webconfig.config import parse_web_config
from tests.webconfig.support import bcrypt_hash

HASH = bcrypt_hash("pw")


def parse(text: str, path: str = "/etc/pyexporter/web.yml"):
    return parse_web_config(text.encode(), path)


def test_empty_file_means_plain_http_without_auth():
    for text in ("", "# nothing\n", "---\n", "  \n\n", "~\n", "tls_server_config:\nhttp_server_config:\n",
                 "basic_auth_users:\n", "{}\n"):
        config = parse(text)
        assert not config.tls.enabled
        assert config.users == {} and config.headers == () and config.rate_interval == 0
        # Only a file that says nothing at all is marked empty; a reload refuses those (test_running).
        assert config.empty == (text in ("", "# nothing\n", "---\n", "  \n\n", "~\n")), text
    assert not parse(f"basic_auth_users:\n  a: {HASH}\n").empty


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
