"""TLS from the web config (exporter-toolkit's ConfigToTLSConfig): an `ssl.SSLContext` for
tls_server_config, and the check that an open TLS connection still meets the settings in force.

Python's ssl (OpenSSL) cannot express a few crypto/tls settings exactly; where it cannot, the
stricter side is taken (docs/webconfig.md, "Where pyexporter differs"). An inline key is loaded
through an anonymous in-memory file, never written to disk, and OpenSSL never prompts for a
passphrase.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import ssl
from collections.abc import Mapping
from typing import Any

from pyexporter.errors import ConfigError
from pyexporter.webconfig.config import (
    CIPHER_SUITES,
    CLIENT_AUTH,
    CURVES,
    SAN_CLIENT_AUTH,
    TLSSettings,
    read_file,
)


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
        cert = read_file(tls.cert_file, f"{section}.cert_file")
    else:
        cert = tls.cert.encode()
    if tls.key_file:
        key = read_file(tls.key_file, f"{section}.key_file")
    else:
        key = tls.key.encode()
    what = ", ".join(["cert_file" if tls.cert_file else "cert", "key_file" if tls.key_file else "key"])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    apply_handshake_settings(ctx, tls)
    _load_key_pair(ctx, cert, key, what)
    if tls.client_ca_file or tls.client_ca:
        ca_key = f"{section}.client_ca_file" if tls.client_ca_file else f"{section}.client_ca"
        ca = read_file(tls.client_ca_file, ca_key) if tls.client_ca_file else tls.client_ca.encode()
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

