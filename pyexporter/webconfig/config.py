"""Reading and validating the web config file (exporter-toolkit's `Config`, `getConfig` and the
YAML types of its tls_config.go and users.go).

The file is read whole (at most MAX_FILE_BYTES) and checked completely: YAML as Go's yaml.v2 reads
it in strict mode (unknown keys and keys given twice refused, any scalar a string field's text), the
names of TLS versions, cipher suites, curves and client auth types, the headers a file may set, and
every bcrypt hash. A `ConfigError` names the offending key and its line, never the value: a
misplaced password or key must not reach the log. Certificates and keys are read by `tls`.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from pyexporter.errors import ConfigError, ParseError
from pyexporter.golang.duration import parse_go_duration
from pyexporter.webconfig.auth import ALLOWED_HEADERS, bcrypt_hash_problem

#: Larger files are not web configs, certificates or keys; refuse rather than read them whole.
MAX_FILE_BYTES = 1 << 20

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

_NULL_TAG = "tag:yaml.org,2002:null"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_MERGE_TAG = "tag:yaml.org,2002:merge"


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
    #: The file held no YAML document at all (nothing, only comments, or a bare `---`). Valid at
    #: start (plain HTTP, no auth, as node_exporter reads it); refused as a change, because a file
    #: being rewritten by an editor or a tool is empty for a moment too.
    empty: bool = False


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
                     rate_interval=max(interval, 0.0), rate_burst=burst,
                     empty=root is None or _is_null(root))


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


def read_file(path: str, key: str) -> bytes:
    """A file the web config names (or the config itself), bounded; ConfigError naming `key`."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{key}: failed to read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(f"{key}: {path} is larger than {MAX_FILE_BYTES} bytes")
    return data


def read_web_config(path: str) -> WebConfig:
    """`--web.config.file`'s contents, validated; the ConfigError names the file."""
    try:
        return parse_web_config(read_file(path, "--web.config.file"), path)
    except ConfigError as exc:
        raise ConfigError(f"--web.config.file={path}: {exc}") from None
