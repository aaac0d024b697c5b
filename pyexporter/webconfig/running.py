"""The running web config: what the server uses (the listening SSLContext and a middleware), and
its reload when the file, or a certificate, key or client CA file it names, changes.

The config file and the files it names are watched with a cheap `stat` per TLS handshake and per
request: a changed, valid set is used from the next connection or request on; an invalid one is
logged once and the configuration in force stays. Each request on a TLS connection is also checked
against the TLS settings in force, which covers connections whose handshake began before a change,
and client_allowed_sans. docs/webconfig.md describes the behaviour.

Nothing here logs or reports a password, a password hash or a private key.
"""

from __future__ import annotations

import logging
import os
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from pyexporter.errors import ConfigError
from pyexporter.webconfig.auth import BasicAuth, TokenBucket, add_headers, plain_error
from pyexporter.webconfig.config import WebConfig, read_web_config
from pyexporter.webconfig.tls import apply_handshake_settings, build_ssl_context, connection_refusal

log = logging.getLogger("pyexporter.webconfig")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class _State:
    config: WebConfig
    limiter: TokenBucket | None


FileStamp = tuple[str, tuple[int, int, int, int, int] | None]


def _stamp(path: str) -> FileStamp:
    try:
        st = os.stat(path)
    except OSError:
        return (path, None)
    return (path, (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))


def _take(paths: tuple[str, ...]) -> tuple[FileStamp, ...]:
    return tuple(_stamp(p) for p in paths)


class WebSecurity:
    """A loaded web config: the listening SSLContext, the aiohttp middleware, and reloading."""

    def __init__(self, path: str):
        self.path = path
        config_stamp = _stamp(path)
        config = read_web_config(path)
        material = _take(config.tls.material_files)
        self._listen_ctx: ssl.SSLContext | None = None
        if config.tls.enabled:
            self._listen_ctx = self._build_ctx(config)
            self._listen_ctx.sni_callback = self._on_client_hello
        self._current_ctx = self._listen_ctx
        #: The files whose change triggers a reload (the config file first), and their last stamps.
        self._watch: tuple[str, ...] = (path, *config.tls.material_files)
        self._seen: tuple[FileStamp, ...] = (config_stamp, *material)
        self._basic_auth = BasicAuth()
        self._state = self._new_state(config, None)

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
        self._basic_auth.use(config.users)
        return _State(config=config, limiter=limiter)

    def _log_loaded(self, message: str, config: WebConfig, **fields: str) -> None:
        tls = config.tls
        log.info(message, extra={
            **fields, "file": self.path, "tls": tls.enabled,
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
        self._basic_auth.close()

    # -- reloading

    def reload(self, trigger: str) -> None:
        """Read the files now, changed or not (SIGHUP), and apply them if valid; logs either way."""
        self.maybe_reload(force=True, trigger=trigger)

    def maybe_reload(self, force: bool = False, trigger: str = "file change") -> None:
        """Apply changes of the config file or of its certificate, key and CA files, if valid."""
        stamps = _take(self._watch)
        if stamps == self._seen and not force:
            return
        config_stamp = stamps[0]
        current = self._state.config
        new_files: tuple[str, ...] = ()
        try:
            config = read_web_config(self.path)
            new_files = config.tls.material_files
            # Stamped before reading, so a change made while reading shows at the next check.
            material = _take(new_files)
            if config.empty:
                raise ConfigError(f"--web.config.file={self.path}: the file holds no settings (is it "
                                  "being rewritten?); to turn authentication off, say so in the file, "
                                  "e.g. with an empty basic_auth_users:")
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
                      extra={"trigger": trigger, "err": str(exc)})
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
        self._log_loaded("Web config reloaded", config, trigger=trigger)

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
            add_headers(exc.headers, state.config.headers)
            raise
        if not response.prepared:
            add_headers(response.headers, state.config.headers)
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
                response = plain_error(403, "Forbidden")
                response.force_close()
                return response
        if state.limiter is not None and not state.limiter.allow():
            return plain_error(429, "Too Many Requests")
        if config.users and not await self._basic_auth.verify(request.headers.get("Authorization")):
            response = plain_error(401, "Unauthorized")
            response.headers["WWW-Authenticate"] = "Basic"
            return response
        return await handler(request)


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
