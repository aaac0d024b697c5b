"""exporter-toolkit's web configuration file (`--web.config.file`): TLS, client certificates,
basic auth, response headers and a rate limit.

node_exporter shares this YAML file format with every Prometheus exporter; pyexporter accepts the
same file. It is validated completely at start: a `ConfigError` names the offending key, and the
server never starts without the protection the file asks for. Afterwards the config file and the
certificate, key and client CA files it names are watched (a cheap `stat` per TLS handshake and per
request): a changed, valid set is used from the next connection or request on, an invalid one is
logged and the running configuration stays in force. Each request on a TLS connection is also
checked against the TLS settings in force, which covers connections whose handshake began before
a change, and client_allowed_sans. docs/webconfig.md describes the format and where Python's ssl
module differs from Go's crypto/tls.

Nothing here logs or reports a password, a password hash or a private key.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import ipaddress
import logging
import os
import re
import secrets
import ssl
import time
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import bcrypt
import yaml
from aiohttp import web

from pyexporter.errors import ConfigError, ParseError
from pyexporter.golang.duration import parse_go_duration

log = logging.getLogger("pyexporter.webconfig")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: Larger files are not web configs, certificates or keys; refuse rather than read them whole.
MAX_FILE_BYTES = 1 << 20
#: How long a successful basic-auth check is remembered, so a scrape does not cost a bcrypt round.
AUTH_CACHE_SECONDS = 300.0
#: exporter-toolkit keeps at most this many cached verifications.
AUTH_CACHE_ENTRIES = 100
#: bcrypt only ever uses the first 72 bytes of a password (Go's crypto/bcrypt ignores the rest too).
BCRYPT_MAX_PASSWORD = 72

TOP_KEYS = ("tls_server_config", "http_server_config", "rate_limit", "basic_auth_users")
TLS_KEYS = (
    "cert", "key", "client_ca", "cert_file", "key_file", "client_auth_type", "client_ca_file",
    "cipher_suites", "curve_preferences", "min_version", "max_version", "prefer_server_cipher_suites",
    "client_allowed_sans",
)
HTTP_KEYS = ("http2", "headers")
RATE_LIMIT_KEYS = ("burst", "interval")

#: exporter-toolkit's client_auth_type names (RequireClientCert is its backwards-compatible alias)
#: -> (canonical name, verify mode pyexporter uses, whether a client CA is required).
CLIENT_AUTH: dict[str, tuple[str, ssl.VerifyMode, bool]] = {
    "": ("NoClientCert", ssl.CERT_NONE, False),
    "NoClientCert": ("NoClientCert", ssl.CERT_NONE, False),
    # Go asks for a certificate and never looks at it; not asking is the same protection.
    "RequestClientCert": ("RequestClientCert", ssl.CERT_NONE, False),
    # Python's ssl cannot accept a certificate without verifying it: verified against client_ca.
    "RequireAnyClientCert": ("RequireAnyClientCert", ssl.CERT_REQUIRED, True),
    "RequireClientCert": ("RequireAnyClientCert", ssl.CERT_REQUIRED, True),
    "VerifyClientCertIfGiven": ("VerifyClientCertIfGiven", ssl.CERT_OPTIONAL, True),
    "RequireAndVerifyClientCert": ("RequireAndVerifyClientCert", ssl.CERT_REQUIRED, True),
}
CLIENT_AUTH_CHOICES = ("NoClientCert", "RequestClientCert", "RequireAnyClientCert",
                       "VerifyClientCertIfGiven", "RequireAndVerifyClientCert")
SAN_CLIENT_AUTH = ("RequireAnyClientCert", "RequireAndVerifyClientCert")

TLS_VERSIONS = {
    "TLS10": ssl.TLSVersion.TLSv1,
    "TLS11": ssl.TLSVersion.TLSv1_1,
    "TLS12": ssl.TLSVersion.TLSv1_2,
    "TLS13": ssl.TLSVersion.TLSv1_3,
}

#: Go's tls.CipherSuites() names (the only ones exporter-toolkit accepts) -> OpenSSL names.
#: TLS 1.3 suites cannot be chosen in Go; they are accepted and change nothing, as there.
CIPHER_SUITES: dict[str, str | None] = {
    "TLS_AES_128_GCM_SHA256": None,
    "TLS_AES_256_GCM_SHA384": None,
    "TLS_CHACHA20_POLY1305_SHA256": None,
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA": "ECDHE-ECDSA-AES128-SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA": "ECDHE-ECDSA-AES256-SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA": "ECDHE-RSA-AES128-SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA": "ECDHE-RSA-AES256-SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": "ECDHE-ECDSA-AES128-GCM-SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": "ECDHE-ECDSA-AES256-GCM-SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": "ECDHE-RSA-AES128-GCM-SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": "ECDHE-RSA-AES256-GCM-SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": "ECDHE-RSA-CHACHA20-POLY1305",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": "ECDHE-ECDSA-CHACHA20-POLY1305",
}

#: Go curve names -> OpenSSL group names.
CURVES = {"CurveP256": "prime256v1", "CurveP384": "secp384r1", "CurveP521": "secp521r1",
          "X25519": "X25519"}

#: The headers exporter-toolkit lets a file set, with the values allowed where it restricts them.
ALLOWED_HEADERS: dict[str, tuple[str, ...] | None] = {
    "Strict-Transport-Security": None,
    "X-Content-Type-Options": ("nosniff",),
    "X-Frame-Options": ("deny", "sameorigin"),
    "X-XSS-Protection": None,
    "Content-Security-Policy": None,
}

_BCRYPT_HASH = re.compile(rb"\$2[abxy]\$(\d\d)\$[./A-Za-z0-9]{53}\Z")
_BCRYPT_ALPHABET = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

_NULL_TAG = "tag:yaml.org,2002:null"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_MERGE_TAG = "tag:yaml.org,2002:merge"


# ---------------------------------------------------------------------------------------------
# The file's contents


@dataclass(frozen=True)
class TLSSettings:
    """tls_server_config, with file paths already resolved against the config file's folder."""

    cert_file: str = ""
    key_file: str = ""
    cert: str = field(default="", repr=False)
    key: str = field(default="", repr=False)
    client_ca_file: str = ""
    client_ca: str = field(default="", repr=False)
    client_auth_type: str = "NoClientCert"
    client_allowed_sans: tuple[str, ...] | None = None
    min_version: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2
    max_version: ssl.TLSVersion = ssl.TLSVersion.TLSv1_3
    cipher_suites: tuple[str, ...] = ()
    curve_preferences: tuple[str, ...] = ()
    prefer_server_cipher_suites: bool = True
    #: client_auth_type as written, for exporter-toolkit's "is TLS configured" rule.
    client_auth_given: bool = False

    @property
    def enabled(self) -> bool:
        """exporter-toolkit serves TLS as soon as any certificate, key, CA or client auth is set."""
        return bool(self.cert_file or self.cert or self.key_file or self.key or self.client_ca_file
                    or self.client_ca or self.client_auth_given)

    @property
    def material_files(self) -> tuple[str, ...]:
        return tuple(p for p in (self.cert_file, self.key_file, self.client_ca_file) if p)

    def handshake_settings(self) -> tuple[Any, ...]:
        return (self.client_auth_type, self.min_version, self.max_version, self.cipher_suites,
                self.curve_preferences, self.prefer_server_cipher_suites)


@dataclass(frozen=True)
class WebConfig:
    tls: TLSSettings = field(default_factory=TLSSettings)
    http2: bool = True
    headers: tuple[tuple[str, str], ...] = ()
    #: user name -> bcrypt hash, both as bytes.
    users: Mapping[bytes, bytes] = field(default_factory=dict, repr=False)
    #: Seconds between two requests of the token bucket; 0 disables the rate limit.
    rate_interval: float = 0.0
    rate_burst: int = 0


def _fail(key: str, problem: str, node: yaml.Node | None = None) -> ConfigError:
    where = f" (line {node.start_mark.line + 1})" if node is not None and node.start_mark else ""
    return ConfigError(f"{key or 'top level'}: {problem}{where}")


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    # Never the value itself: a misplaced password would end up in the log.
    return "a scalar"


class _Document:
    """Reads the composed YAML node tree with exporter-toolkit's schema.

    Working on nodes rather than constructed Python values keeps each scalar's source text (Go's
    yaml.v2 turns any scalar into a string field verbatim) and each error's line number, and lets
    duplicate keys be refused as yaml.v2's strict mode refuses them.
    """

    def __init__(self, loader: yaml.SafeLoader):
        self.loader = loader

    def mapping(self, node: yaml.Node | None, key: str) -> list[tuple[str, yaml.Node, yaml.Node]]:
        if node is None or _is_null(node):
            return []
        if not isinstance(node, yaml.MappingNode):
            raise _fail(key, f"expected a mapping, got {_kind(node)}", node)
        seen: set[str] = set()
        for k, _v in node.value:
            if k.tag == _MERGE_TAG:
                continue
            name = self.key_name(k, key)
            if name in seen:
                raise _fail(_join(key, name), "key given twice", k)
            seen.add(name)
        try:
            self.loader.flatten_mapping(node)
        except yaml.YAMLError as exc:
            raise _fail(key, f"invalid merge key: {_yaml_problem(exc)}", node) from None
        merged: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for k, v in node.value:
            merged[self.key_name(k, key)] = (k, v)
        return [(name, k, v) for name, (k, v) in merged.items()]

    def key_name(self, node: yaml.Node, parent: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise _fail(parent, f"keys must be scalars, got {_kind(node)}", node)
        return str(node.value)

    def struct(self, node: yaml.Node | None, key: str, known: tuple[str, ...]) -> dict[str, yaml.Node]:
        out: dict[str, yaml.Node] = {}
        for name, knode, vnode in self.mapping(node, key):
            if name not in known:
                raise _fail(_join(key, name), f"unknown key (known keys: {', '.join(known)})", knode)
            out[name] = vnode
        return out

    def string(self, node: yaml.Node | None, key: str) -> str:
        if node is None or _is_null(node):
            return ""
        if not isinstance(node, yaml.ScalarNode):
            raise _fail(key, f"expected a string, got {_kind(node)}", node)
        return str(node.value)

    def secret(self, node: yaml.Node | None, key: str) -> str:
        if node is not None and not isinstance(node, yaml.ScalarNode):
            # Never echo a secret's value, not even in part.
            raise _fail(key, "expected a string", node)
        return self.string(node, key)

    def boolean(self, node: yaml.Node | None, key: str, default: bool) -> bool:
        if node is None:
            return default
        if _is_null(node):
            return False
        if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL_TAG:
            return bool(self.loader.construct_yaml_bool(node))
        raise _fail(key, f"expected true or false, got {_kind(node)}", node)

    def integer(self, node: yaml.Node | None, key: str) -> int:
        if node is None or _is_null(node):
            return 0
        if isinstance(node, yaml.ScalarNode) and node.tag == _INT_TAG:
            return int(self.loader.construct_yaml_int(node))
        raise _fail(key, f"expected an integer, got {_kind(node)}", node)

    def duration(self, node: yaml.Node | None, key: str) -> float:
        if node is None or _is_null(node):
            return 0.0
        if isinstance(node, yaml.ScalarNode) and node.tag == _INT_TAG:
            # yaml.v2 reads a bare integer into a time.Duration as nanoseconds.
            return int(self.loader.construct_yaml_int(node)) * 1e-9
        if isinstance(node, yaml.ScalarNode):
            try:
                return parse_go_duration(str(node.value))
            except ParseError as exc:
                raise _fail(key, str(exc), node) from None
        raise _fail(key, f"expected a duration such as 1s, got {_kind(node)}", node)

    def strings(self, node: yaml.Node | None, key: str) -> tuple[str, ...] | None:
        if node is None or _is_null(node):
            return None
        if not isinstance(node, yaml.SequenceNode):
            raise _fail(key, f"expected a list, got {_kind(node)}", node)
        return tuple(self.string(item, f"{key}[{i}]") for i, item in enumerate(node.value))


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG


def _join(parent: str, name: str) -> str:
    return f"{parent}.{name}" if parent else name


def _yaml_problem(exc: yaml.YAMLError) -> str:
    # PyYAML's own message quotes the offending source line, which may hold a password hash or
    # a private key: keep only the problem and its position.
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = ", ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
        if mark is not None:
            return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
        return str(problem)
    if isinstance(exc, yaml.reader.ReaderError):
        return f"not valid {exc.encoding} text at byte {exc.position}"
    return type(exc).__name__


def bcrypt_hash_problem(hashed: bytes) -> str | None:
    """Why `hashed` is not a bcrypt hash pyexporter can check, or None. Never quotes the hash."""
    if len(hashed) < 59:
        return "hashedSecret too short to be a bcrypted password"
    if not hashed.startswith(b"$"):
        return "bcrypt hashes must start with '$'"
    if not hashed.startswith(b"$2"):
        return "not a bcrypt hash (bcrypt hashes start with $2a$, $2b$, $2x$ or $2y$)"
    match = _BCRYPT_HASH.match(hashed)
    if match is None:
        return ("malformed bcrypt hash (want 60 characters: $2y$, a two-digit cost, $, then 53 "
                "characters of ./A-Za-z0-9)")
    cost = int(match.group(1))
    if not 4 <= cost <= 31:
        return f"cost {cost} is outside allowed range (4,31)"
    return None


def parse_web_config(data: bytes, path: str) -> WebConfig:
    """The config file's bytes -> a validated WebConfig. Raises ConfigError naming the key.

    Certificates and keys are not read here (see `build_ssl_context`); relative file names are
    resolved against the folder of `path`, as exporter-toolkit does.
    """
    try:
        loader = yaml.SafeLoader(data)
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {_yaml_problem(exc)}") from None
    try:
        return _parse_document(loader, path)
    finally:
        loader.dispose()


def _parse_document(loader: yaml.SafeLoader, path: str) -> WebConfig:
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {_yaml_problem(exc)}") from None
    doc = _Document(loader)
    top = doc.struct(root, "", TOP_KEYS)
    base = os.path.dirname(path) or "."
    tls = _parse_tls(doc, top.get("tls_server_config"), base)
    http = doc.struct(top.get("http_server_config"), "http_server_config", HTTP_KEYS)
    http2 = doc.boolean(http.get("http2"), "http_server_config.http2", True)
    headers = _parse_headers(doc, http.get("headers"))
    users = _parse_users(doc, top.get("basic_auth_users"))
    rate = doc.struct(top.get("rate_limit"), "rate_limit", RATE_LIMIT_KEYS)
    interval = doc.duration(rate.get("interval"), "rate_limit.interval")
    burst = doc.integer(rate.get("burst"), "rate_limit.burst")
    return WebConfig(tls=tls, http2=http2, headers=headers, users=users,
                     rate_interval=max(interval, 0.0), rate_burst=burst)


def _resolve(base: str, name: str) -> str:
    return os.path.join(base, name) if name and not os.path.isabs(name) else name


def _parse_tls(doc: _Document, node: yaml.Node | None, base: str) -> TLSSettings:
    section = "tls_server_config"
    raw = doc.struct(node, section, TLS_KEYS)

    def k(name: str) -> str:
        return f"{section}.{name}"

    auth_text = doc.string(raw.get("client_auth_type"), k("client_auth_type"))
    if auth_text not in CLIENT_AUTH:
        raise _fail(k("client_auth_type"), f"invalid ClientAuth: {auth_text} "
                    f"(one of {', '.join(CLIENT_AUTH_CHOICES)})", raw.get("client_auth_type"))
    versions = {}
    for name, default in (("min_version", "TLS12"), ("max_version", "TLS13")):
        text = doc.string(raw.get(name), k(name)) or default
        if text not in TLS_VERSIONS:
            raise _fail(k(name), f"unknown TLS version: {text} (one of {', '.join(TLS_VERSIONS)})",
                        raw.get(name))
        versions[name] = TLS_VERSIONS[text]
    ciphers = doc.strings(raw.get("cipher_suites"), k("cipher_suites")) or ()
    for i, name in enumerate(ciphers):
        if name not in CIPHER_SUITES:
            raise _fail(f"{k('cipher_suites')}[{i}]", f"unknown cipher: {name}", raw.get("cipher_suites"))
    curves = doc.strings(raw.get("curve_preferences"), k("curve_preferences")) or ()
    for i, name in enumerate(curves):
        if name not in CURVES:
            raise _fail(f"{k('curve_preferences')}[{i}]",
                        f"unknown curve: {name} (one of {', '.join(CURVES)})", raw.get("curve_preferences"))
    return TLSSettings(
        cert_file=_resolve(base, doc.string(raw.get("cert_file"), k("cert_file"))),
        key_file=_resolve(base, doc.string(raw.get("key_file"), k("key_file"))),
        cert=doc.string(raw.get("cert"), k("cert")),
        key=doc.secret(raw.get("key"), k("key")),
        client_ca_file=_resolve(base, doc.string(raw.get("client_ca_file"), k("client_ca_file"))),
        client_ca=doc.string(raw.get("client_ca"), k("client_ca")),
        client_auth_type=CLIENT_AUTH[auth_text][0],
        client_allowed_sans=doc.strings(raw.get("client_allowed_sans"), k("client_allowed_sans")),
        min_version=versions["min_version"],
        max_version=versions["max_version"],
        cipher_suites=ciphers,
        curve_preferences=curves,
        prefer_server_cipher_suites=doc.boolean(
            raw.get("prefer_server_cipher_suites"), k("prefer_server_cipher_suites"), True),
        client_auth_given=bool(auth_text),
    )


def _parse_headers(doc: _Document, node: yaml.Node | None) -> tuple[tuple[str, str], ...]:
    section = "http_server_config.headers"
    out = []
    for name, knode, vnode in doc.mapping(node, section):
        value = doc.string(vnode, f"{section}.{name}")
        if name not in ALLOWED_HEADERS:
            raise _fail(section, f"HTTP header {name!r} can not be configured "
                        f"(one of {', '.join(ALLOWED_HEADERS)})", knode)
        allowed = ALLOWED_HEADERS[name]
        if allowed and value not in allowed:
            raise _fail(f"{section}.{name}", f"invalid value for {name}. Expected one of: "
                        f"{', '.join(allowed)}, but got: {value!r}", vnode)
        if "\r" in value or "\n" in value or "\0" in value:
            raise _fail(f"{section}.{name}", "header values cannot contain line breaks", vnode)
        if value:  # "Unset if blank"
            out.append((name, value))
    return tuple(out)


def _parse_users(doc: _Document, node: yaml.Node | None) -> dict[bytes, bytes]:
    users: dict[bytes, bytes] = {}
    for name, _knode, vnode in doc.mapping(node, "basic_auth_users"):
        hashed = doc.secret(vnode, f"basic_auth_users.{name}").encode()
        problem = bcrypt_hash_problem(hashed)
        if problem is not None:
            raise _fail(f"basic_auth_users.{name}", f"invalid bcrypt hash: {problem}", vnode)
        users[name.encode()] = hashed
    return users


def validate_tls(tls: TLSSettings) -> None:
    """exporter-toolkit's ConfigToTLSConfig checks, plus those where pyexporter is stricter."""
    section = "tls_server_config"
    if not tls.cert_file and not tls.cert:
        raise ConfigError(f"{section}: missing one of cert or cert_file")
    if not tls.key_file and not tls.key:
        raise ConfigError(f"{section}: missing one of key or key_file")
    has_ca = bool(tls.client_ca_file or tls.client_ca)
    needs_ca = CLIENT_AUTH[tls.client_auth_type][2]
    if has_ca and tls.client_auth_type == "NoClientCert":
        raise ConfigError(f"{section}.client_auth_type: client CA's have been configured without a "
                          "Client Auth Policy")
    if needs_ca and not has_ca:
        # Go would verify against the system roots (or, for RequireAnyClientCert, not at all);
        # trusting every public CA for client certificates is never what such a file means.
        raise ConfigError(f"{section}.client_auth_type: {tls.client_auth_type} needs client_ca_file "
                          "or client_ca (pyexporter verifies client certificates only against it)")
    if tls.client_allowed_sans is not None and tls.client_auth_type not in SAN_CLIENT_AUTH:
        raise ConfigError(f"{section}.client_allowed_sans: client_allowed_sans requires client_auth_type "
                          "to be one of RequireAnyClientCert or RequireAndVerifyClientCert")
    if tls.min_version > tls.max_version:
        raise ConfigError(f"{section}.min_version: min_version is above max_version")
    if tls.cipher_suites and not _openssl_ciphers(tls) and tls.max_version < ssl.TLSVersion.TLSv1_3:
        raise ConfigError(f"{section}.cipher_suites: only TLS 1.3 suites are listed but max_version is "
                          "below TLS13: no handshake could succeed")


# ---------------------------------------------------------------------------------------------
# TLS


def _openssl_ciphers(tls: TLSSettings) -> list[str]:
    return [name for name in (CIPHER_SUITES[c] for c in tls.cipher_suites) if name is not None]


def _effective_min_version(tls: TLSSettings) -> ssl.TLSVersion:
    if tls.cipher_suites and not _openssl_ciphers(tls):
        # Go offers no TLS 1.0-1.2 suite then, so only TLS 1.3 handshakes can succeed.
        return ssl.TLSVersion.TLSv1_3
    return tls.min_version


@functools.cache
def _default_cipher_string() -> str:
    # Python's own TLS 1.2 list, to restore it when a reload drops cipher_suites.
    fresh = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    return ":".join(c["name"] for c in fresh.get_ciphers() if c["protocol"] != "TLSv1.3")


def apply_handshake_settings(ctx: ssl.SSLContext, tls: TLSSettings) -> None:
    """Versions, ciphers, client-auth mode: the settings an SSL connection copies from the context
    it starts with. Raises ConfigError (naming the key) when OpenSSL refuses one."""
    section = "tls_server_config"
    ctx.verify_mode = CLIENT_AUTH[tls.client_auth_type][1]
    ciphers = _openssl_ciphers(tls)
    ctx.minimum_version = _effective_min_version(tls)
    ctx.maximum_version = tls.max_version
    try:
        ctx.set_ciphers(":".join(ciphers) if ciphers else _default_cipher_string())
    except ssl.SSLError as exc:
        raise ConfigError(f"{section}.cipher_suites: OpenSSL refuses them: {exc.reason or exc}") from None
    if tls.prefer_server_cipher_suites:
        ctx.options |= ssl.OP_CIPHER_SERVER_PREFERENCE
    else:
        ctx.options &= ~ssl.OP_CIPHER_SERVER_PREFERENCE
    if tls.curve_preferences:
        # Python can set one group only: the most preferred, so nothing unlisted is accepted.
        try:
            ctx.set_ecdh_curve(CURVES[tls.curve_preferences[0]])
        except (ValueError, ssl.SSLError) as exc:
            raise ConfigError(f"{section}.curve_preferences: OpenSSL refuses it: {exc}") from None
    # aiohttp speaks HTTP/1.1 only, whatever http2 says.
    ctx.set_alpn_protocols(["http/1.1"])


def _read_file(path: str, key: str) -> bytes:
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{key}: failed to read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(f"{key}: {path} is larger than {MAX_FILE_BYTES} bytes")
    return data


class _EncryptedKey(Exception):
    pass


def _no_password() -> bytes:
    # Without a callback OpenSSL would prompt on the terminal for an encrypted key's passphrase.
    raise _EncryptedKey


def _memfd(name: str, data: bytes) -> int:
    fd = os.memfd_create(name, os.MFD_CLOEXEC)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    return fd


def _load_key_pair(ctx: ssl.SSLContext, cert: bytes, key: bytes, what: str) -> None:
    # ssl only loads certificates and keys from files; anonymous in-memory files keep an inline
    # key (and a copy of the files) off the disk.
    fds = []
    try:
        fds.append(_memfd("pyexporter-cert", cert))
        fds.append(_memfd("pyexporter-key", key))
        ctx.load_cert_chain(f"/proc/self/fd/{fds[0]}", f"/proc/self/fd/{fds[1]}", password=_no_password)
    except _EncryptedKey:
        raise ConfigError(f"tls_server_config: failed to load X509 key pair ({what}): the key is "
                          "encrypted, which exporter-toolkit does not support either") from None
    except ssl.SSLError as exc:
        raise ConfigError(f"tls_server_config: failed to load X509 key pair ({what}): "
                          f"{_ssl_problem(exc)}") from None
    except OSError as exc:
        raise ConfigError(f"tls_server_config: failed to load X509 key pair ({what}): "
                          f"{exc.strerror or exc}") from None
    finally:
        for fd in fds:
            os.close(fd)


def _ssl_problem(exc: ssl.SSLError) -> str:
    reason = exc.reason or ""
    if reason == "KEY_VALUES_MISMATCH":
        return "private key does not match public key"
    if reason in ("NO_START_LINE", "PEM_LIB", "") or "PEM" in reason:
        return f"no valid PEM certificate and key found ({reason or 'PEM lib'})"
    return reason.lower().replace("_", " ")


def build_ssl_context(tls: TLSSettings) -> ssl.SSLContext:
    """A server SSLContext for `tls`, reading its files now. Raises ConfigError naming the key."""
    validate_tls(tls)
    section = "tls_server_config"
    if tls.cert_file:
        cert = _read_file(tls.cert_file, f"{section}.cert_file")
    else:
        cert = tls.cert.encode()
    if tls.key_file:
        key = _read_file(tls.key_file, f"{section}.key_file")
    else:
        key = tls.key.encode()
    what = ", ".join(["cert_file" if tls.cert_file else "cert", "key_file" if tls.key_file else "key"])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    apply_handshake_settings(ctx, tls)
    _load_key_pair(ctx, cert, key, what)
    if tls.client_ca_file or tls.client_ca:
        ca_key = f"{section}.client_ca_file" if tls.client_ca_file else f"{section}.client_ca"
        ca = _read_file(tls.client_ca_file, ca_key) if tls.client_ca_file else tls.client_ca.encode()
        try:
            ctx.load_verify_locations(cadata=ca.decode("ascii"))
        except (UnicodeDecodeError, ssl.SSLError, ValueError) as exc:
            # Go would accept a CA file without a certificate and then refuse every client.
            detail = exc.reason if isinstance(exc, ssl.SSLError) and exc.reason else "not PEM text"
            raise ConfigError(f"{ca_key}: no valid PEM CA certificate found ({detail})") from None
    return ctx


def client_sans(peercert: Mapping[str, Any] | None) -> set[str]:
    """A verified client certificate's DNS, e-mail, IP and URI SANs, written as Go writes them."""
    out: set[str] = set()
    if not peercert:
        return out
    for kind, value in peercert.get("subjectAltName", ()):
        if kind in ("DNS", "email", "URI"):
            out.add(value)
        elif kind == "IP Address":
            try:
                out.add(str(ipaddress.ip_address(value.strip())))
            except ValueError:
                out.add(value.strip())
    return out


_PROTOCOLS = {"TLSv1": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1,
              "TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3}


def connection_refusal(transport: Any, tls: TLSSettings) -> str | None:
    """Why a TLS connection does not meet `tls` (the settings now in force), or None.

    New connections get the current settings in the handshake; this catches the ones whose
    handshake began before a change, and checks client_allowed_sans, which Python's ssl cannot
    check during the handshake.
    """
    sslobj = transport.get_extra_info("ssl_object") if transport is not None else None
    if sslobj is None:
        return "not a TLS connection"
    version = _PROTOCOLS.get(sslobj.version() or "")
    if version is None or not _effective_min_version(tls) <= version <= tls.max_version:
        return f"TLS version {sslobj.version()}"
    ciphers = _openssl_ciphers(tls)
    cipher = sslobj.cipher()
    if ciphers and version < ssl.TLSVersion.TLSv1_3 and (cipher is None or cipher[0] not in ciphers):
        return f"cipher suite {cipher[0] if cipher else None}"
    peercert = transport.get_extra_info("peercert")
    if CLIENT_AUTH[tls.client_auth_type][1] == ssl.CERT_REQUIRED and not peercert:
        return "no client certificate"
    if tls.client_allowed_sans is not None and not client_sans(peercert) & set(tls.client_allowed_sans):
        return "client certificate has none of client_allowed_sans"
    return None


# ---------------------------------------------------------------------------------------------
# HTTP: rate limit, basic auth, headers


class TokenBucket:
    """golang.org/x/time/rate.Limiter's Allow(): one token per interval, at most burst, full at start."""

    def __init__(self, interval: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.interval = interval
        self.burst = burst
        self.clock = clock
        self.tokens = float(max(burst, 0))
        self.last = clock()

    def allow(self) -> bool:
        now = self.clock()
        self.tokens = min(float(max(self.burst, 0)), self.tokens + (now - self.last) / self.interval)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


def parse_basic_auth(header: str | None) -> tuple[bytes, bytes] | None:
    """Go's Request.BasicAuth(): `Basic base64(user:password)`, scheme case-insensitive."""
    if not header or len(header) < 6 or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        return None
    user, sep, password = decoded.partition(b":")
    if not sep:
        return None
    return user, password


def check_password(password: bytes, hashed: bytes) -> bool:
    """bcrypt comparison as Go's crypto/bcrypt makes it (bytes past the 72nd ignored)."""
    try:
        return bool(bcrypt.checkpw(password[:BCRYPT_MAX_PASSWORD], hashed))
    except ValueError:
        return False


def dummy_hash(users: Mapping[bytes, bytes]) -> bytes:
    """A hash no password matches, at the cost most users have: an unknown user's check then takes
    as long as a known user's. Made from a fresh salt and random characters, so it costs nothing."""
    costs = Counter(int(h[4:6]) for h in users.values())
    cost = max(costs, key=lambda c: (costs[c], c)) if costs else 10
    return bcrypt.gensalt(rounds=cost) + bytes(secrets.choice(_BCRYPT_ALPHABET) for _ in range(31))


class AuthCache:
    """Successful verifications for AUTH_CACHE_SECONDS. Keys are keyed digests of (user, hash,
    password), so the cache holds no password; at most AUTH_CACHE_ENTRIES, oldest evicted."""

    def __init__(self, ttl: float = AUTH_CACHE_SECONDS, entries: int = AUTH_CACHE_ENTRIES,
                 clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.entries = entries
        self.clock = clock
        self._secret = secrets.token_bytes(32)
        self._seen: OrderedDict[bytes, float] = OrderedDict()

    def key(self, user: bytes, hashed: bytes, password: bytes) -> bytes:
        message = b"\0".join((base64.b64encode(user), hashed, base64.b64encode(password)))
        return hmac.new(self._secret, message, hashlib.sha256).digest()

    def hit(self, key: bytes) -> bool:
        stamp = self._seen.get(key)
        if stamp is None:
            return False
        if self.clock() - stamp > self.ttl:
            del self._seen[key]
            return False
        return True

    def add(self, key: bytes) -> None:
        self._seen[key] = self.clock()
        self._seen.move_to_end(key)
        while len(self._seen) > self.entries:
            self._seen.popitem(last=False)

    def clear(self) -> None:
        self._seen.clear()


def _plain_error(status: int, text: str) -> web.Response:
    # As Go's http.Error writes it.
    return web.Response(status=status, text=f"{text}\n", content_type="text/plain", charset="utf-8",
                        headers={"X-Content-Type-Options": "nosniff"})


@dataclass
class _State:
    config: WebConfig
    dummy: bytes
    limiter: TokenBucket | None


# ---------------------------------------------------------------------------------------------
# The running configuration


FileStamp = tuple[str, tuple[int, int, int, int, int] | None]


def _stamp(path: str) -> FileStamp:
    try:
        st = os.stat(path)
    except OSError:
        return (path, None)
    return (path, (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))


def _take(paths: tuple[str, ...]) -> tuple[FileStamp, ...]:
    return tuple(_stamp(p) for p in paths)


def _read_config(path: str) -> WebConfig:
    try:
        return parse_web_config(_read_file(path, "--web.config.file"), path)
    except ConfigError as exc:
        raise ConfigError(f"--web.config.file={path}: {exc}") from None


class WebSecurity:
    """A loaded web config: the listening SSLContext, the aiohttp middleware, and reloading."""

    def __init__(self, path: str):
        self.path = path
        config_stamp = _stamp(path)
        config = _read_config(path)
        material = _take(config.tls.material_files)
        self._listen_ctx: ssl.SSLContext | None = None
        if config.tls.enabled:
            self._listen_ctx = self._build_ctx(config)
            self._listen_ctx.sni_callback = self._on_client_hello
        self._current_ctx = self._listen_ctx
        #: The files whose change triggers a reload (the config file first), and their last stamps.
        self._watch: tuple[str, ...] = (path, *config.tls.material_files)
        self._seen: tuple[FileStamp, ...] = (config_stamp, *material)
        self._cache = AuthCache()
        self._state = self._new_state(config, None)
        self._bcrypt_pool: ThreadPoolExecutor | None = None

    @property
    def config(self) -> WebConfig:
        return self._state.config

    def _build_ctx(self, config: WebConfig) -> ssl.SSLContext:
        try:
            return build_ssl_context(config.tls)
        except ConfigError as exc:
            raise ConfigError(f"--web.config.file={self.path}: {exc}") from None

    def _new_state(self, config: WebConfig, old: _State | None) -> _State:
        limiter = None
        if config.rate_interval > 0:
            same = (old is not None and old.limiter is not None
                    and (old.config.rate_interval, old.config.rate_burst)
                    == (config.rate_interval, config.rate_burst))
            limiter = old.limiter if same and old is not None else TokenBucket(
                config.rate_interval, config.rate_burst)
            if config.rate_burst < 1:
                log.warning("rate_limit.burst is below 1: every request will be refused with 429, "
                            "as node_exporter does")
        if old is None or old.config.users != config.users:
            self._cache.clear()
            dummy = dummy_hash(config.users)
        else:
            dummy = old.dummy
        return _State(config=config, dummy=dummy, limiter=limiter)

    def _log_loaded(self, message: str, config: WebConfig) -> None:
        tls = config.tls
        log.info(message, extra={
            "file": self.path, "tls": tls.enabled,
            "client_auth_type": tls.client_auth_type if tls.enabled else "",
            "basic_auth_users": len(config.users),
            "headers": ",".join(name for name, _ in config.headers),
            "rate_limit": f"{config.rate_burst}/{config.rate_interval:g}s" if config.rate_interval else "off",
        })

    # -- the hooks server.run() uses

    def announce(self) -> None:
        """Log what was loaded, and where Python's ssl does less or more than Go would."""
        self._log_loaded("Web config loaded", self.config)
        _warn_differences(self.config)

    def ssl_context(self) -> ssl.SSLContext | None:
        """The context to listen with, or None for plain HTTP (no TLS key in the file)."""
        return self._listen_ctx

    def middlewares(self) -> list[Any]:
        @web.middleware
        async def web_config_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
            return await self._middleware(request, handler)

        return [web_config_middleware]

    def close(self) -> None:
        if self._bcrypt_pool is not None:
            self._bcrypt_pool.shutdown(wait=False, cancel_futures=True)
            self._bcrypt_pool = None

    # -- reloading

    def maybe_reload(self) -> None:
        """Apply changes of the config file or of its certificate, key and CA files, if valid."""
        stamps = _take(self._watch)
        if stamps == self._seen:
            return
        config_stamp = stamps[0]
        current = self._state.config
        new_files: tuple[str, ...] = ()
        try:
            config = _read_config(self.path)
            new_files = config.tls.material_files
            # Stamped before reading, so a change made while reading shows at the next check.
            material = _take(new_files)
            if config.tls.enabled != current.tls.enabled:
                raise ConfigError(f"--web.config.file={self.path}: tls_server_config: switching "
                                  "between TLS and plain HTTP needs a restart")
            if config.tls.enabled and config.tls.curve_preferences != current.tls.curve_preferences:
                raise ConfigError(f"--web.config.file={self.path}: tls_server_config.curve_preferences: "
                                  "a change of curve_preferences needs a restart")
            ctx = self._build_ctx(config) if config.tls.enabled else None
        except ConfigError as exc:
            # Watch both the files in force and the ones the new file names, so that fixing
            # either side is noticed; report this state once.
            files = tuple(dict.fromkeys((*current.tls.material_files, *new_files)))
            self._watch = (self.path, *files)
            self._seen = (config_stamp, *_take(files))
            log.error("Web config change not applied; the previous configuration stays in force",
                      extra={"err": str(exc)})
            return
        self._watch = (self.path, *new_files)
        self._seen = (config_stamp, *material)
        if ctx is not None and self._listen_ctx is not None:
            if config.tls.handshake_settings() != current.tls.handshake_settings():
                # New connections copy these from the listening context, not from the one swapped
                # in at ClientHello; the same calls just succeeded on `ctx`.
                apply_handshake_settings(self._listen_ctx, config.tls)
            self._current_ctx = ctx
        self._state = self._new_state(config, self._state)
        self._log_loaded("Web config reloaded", config)

    def _on_client_hello(self, ssl_obj: Any, _server_name: str | None, ctx: ssl.SSLContext) -> None:
        # Runs inside OpenSSL's ClientHello processing, with or without SNI: the certificate, key
        # and client CA store of the context set here are the ones this handshake uses. An
        # exception would abort the handshake, so none escapes.
        try:
            self.maybe_reload()
            if self._current_ctx is not None and self._current_ctx is not ctx:
                ssl_obj.context = self._current_ctx
        except Exception as exc:
            log.error("TLS certificate reload failed", extra={"err": f"{type(exc).__name__}: {exc}"})

    # -- requests

    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.maybe_reload()
        state = self._state
        try:
            response = await self._guard(request, handler, state)
        except web.HTTPException as exc:
            for name, value in state.config.headers:
                exc.headers[name] = value
            raise
        if not response.prepared:
            for name, value in state.config.headers:
                response.headers[name] = value
        return response

    async def _guard(self, request: web.Request, handler: Handler, state: _State) -> web.StreamResponse:
        config = state.config
        if config.tls.enabled:
            refusal = connection_refusal(request.transport, config.tls)
            if refusal is not None:
                # Go refuses such a client in the handshake. Here the handshake may have run under
                # settings since tightened (or client_allowed_sans did not match): this connection
                # gets nothing but a 403 and is closed.
                log.debug("connection refused by tls_server_config", extra={
                    "remote": request.remote, "reason": refusal})
                response = _plain_error(403, "Forbidden")
                response.force_close()
                return response
        if state.limiter is not None and not state.limiter.allow():
            return _plain_error(429, "Too Many Requests")
        if config.users and not await self._authenticate(request, state):
            response = _plain_error(401, "Unauthorized")
            response.headers["WWW-Authenticate"] = "Basic"
            return response
        return await handler(request)

    async def _authenticate(self, request: web.Request, state: _State) -> bool:
        credentials = parse_basic_auth(request.headers.get("Authorization"))
        if credentials is None:
            return False
        user, password = credentials
        hashed = state.config.users.get(user)
        known = hashed is not None
        if hashed is None:
            hashed = state.dummy
        key = self._cache.key(user, hashed, password)
        if known and self._cache.hit(key):
            return True
        if self._bcrypt_pool is None:
            # One thread: bcrypt is CPU-bound, and Go also runs one comparison at a time.
            self._bcrypt_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bcrypt")
        loop = asyncio.get_running_loop()
        ok = await loop.run_in_executor(self._bcrypt_pool, check_password, password, hashed)
        if ok and known:
            self._cache.add(key)
            return True
        return False


def _warn_differences(config: WebConfig) -> None:
    tls = config.tls
    if not tls.enabled:
        return
    if tls.client_auth_type == "RequestClientCert":
        log.info("client_auth_type RequestClientCert: no client certificate is requested (Go requests "
                 "one and never verifies or uses it)")
    if tls.client_auth_type == "RequireAnyClientCert":
        log.warning("client_auth_type RequireAnyClientCert: client certificates are verified against "
                    "the client CA (Python's ssl cannot accept an unverified one)")
    if len(tls.curve_preferences) > 1:
        log.warning("curve_preferences: only the first curve is used", extra={
            "curve": tls.curve_preferences[0]})
    if tls.cert_file and tls.cert:
        log.warning("tls_server_config: both cert and cert_file are set; cert_file is used")
    if tls.key_file and tls.key:
        log.warning("tls_server_config: both key and key_file are set; key_file is used")


def load_web_config(path: str) -> WebSecurity:
    """Read and validate the web config file; raises ConfigError naming the key at fault.

    Logs nothing, so that a refused file is reported in one line; `announce()` logs the result."""
    return WebSecurity(path)
