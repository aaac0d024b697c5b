"""The HTTP server (aiohttp): landing page, metrics path, limits, lifecycle."""

from __future__ import annotations

import asyncio
import errno
import functools
import html
import logging
import os
import signal
import socket
import ssl
import sys
from collections.abc import Callable, Sequence
from typing import Any

from aiohttp import web

from pyexporter import NODE_EXPORTER_COMPAT, __version__, cli, runtime
from pyexporter.connections import BoundedSite, ConnectionLimits, ConnectionTracker, effective_max_connections
from pyexporter.errors import ConfigError
from pyexporter.exposition import OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE, encode, negotiate
from pyexporter.loader import log_problems
from pyexporter.logs import setup_logging
from pyexporter.metrics import MetricFamily
from pyexporter.registry import Collector, create_collectors, plugin_collectors, registrations
from pyexporter.scrape import Collection, ScrapeEngine
from pyexporter.selfmetrics import ExporterMetrics
from pyexporter.settings import Settings
from pyexporter.socket_activation import listening_sockets

log = logging.getLogger("pyexporter")

#: Margin kept below Prometheus's scrape timeout so the answer arrives in time.
SCRAPE_TIMEOUT_MARGIN = 0.5
#: Gzip level 1 costs a third of level 6 for about a fifth more bytes.
GZIP_LEVEL = 1

#: A body of at most this many samples (a few milliseconds of work) is encoded on
#: the event loop: handing it to a thread costs more in GIL hand-offs than it
#: frees the loop, and under load cut the throughput by a quarter. A big node's
#: body goes to a thread, so that the landing page and health probes still answer.
INLINE_ENCODE_SAMPLES = 5000

ENGINE_KEY = web.AppKey("engine", ScrapeEngine)
SETTINGS_KEY = web.AppKey("settings", Settings)


def _family_name(family: MetricFamily) -> str:
    return family.name


class MetricsHandler:
    def __init__(self, settings: Settings, engine: ScrapeEngine, exporter_metrics: ExporterMetrics | None):
        self.settings = settings
        self.engine = engine
        self.exporter_metrics = exporter_metrics
        self.enabled = tuple(sorted(engine.collectors))
        self.known = frozenset(registrations()) | frozenset(engine.collectors)
        self.in_flight = 0

    def _select(self, request: web.Request) -> tuple[str, ...] | None:
        collects = request.query.getall("collect[]", [])
        excludes = request.query.getall("exclude[]", [])
        if not collects and not excludes:
            return None
        if collects and excludes:
            raise web.HTTPBadRequest(text="Combined collect and exclude queries are not allowed.\n")
        if excludes:
            return tuple(n for n in self.enabled if n not in excludes)
        chosen: list[str] = []
        for name in collects:
            if name not in self.known:
                raise web.HTTPBadRequest(
                    text=f"Couldn't create filtered metrics handler: missing collector: {name}\n")
            if name not in self.engine.collectors:
                raise web.HTTPBadRequest(
                    text=f"Couldn't create filtered metrics handler: disabled collector: {name}\n")
            if name not in chosen:
                chosen.append(name)
        return tuple(chosen)

    def _timeout(self, request: web.Request) -> float:
        timeout = self.settings.collector_timeout
        header = request.headers.get("X-Prometheus-Scrape-Timeout-Seconds")
        if header:
            try:
                offered = float(header)
            except ValueError:
                return timeout
            if offered > 0:
                timeout = min(timeout, max(offered - SCRAPE_TIMEOUT_MARGIN, offered / 2))
        return timeout

    def _families(self, collection: Collection) -> list[MetricFamily]:
        """The collection with the exporter's own metrics as they are when the first request renders it."""
        metrics = self.exporter_metrics
        if metrics is None:
            return collection.families
        return sorted([*collection.families, metrics.build_info(), *metrics.families()], key=_family_name)

    async def _encode(self, collection: Collection, fmt: str, compress: bool) -> bytes:
        families = self._families(collection)
        level = GZIP_LEVEL if compress else None
        if sum(len(family.samples) for family in families) <= INLINE_ENCODE_SAMPLES:
            return encode(families, fmt, level)
        return await asyncio.get_running_loop().run_in_executor(None, encode, families, fmt, level)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        metrics = self.exporter_metrics
        names = self._select(request)
        limit = self.settings.max_requests
        if limit > 0 and self.in_flight >= limit:
            if metrics is not None:
                metrics.requests["503"] += 1
            return web.Response(
                status=503, text=f"Limit of concurrent requests reached ({limit}), try again later.\n")
        self.in_flight += 1
        if metrics is not None:
            metrics.in_flight = self.in_flight
        status = "200"
        try:
            fmt = negotiate(request.headers.get("Accept"))
            compress = "gzip" in request.headers.get("Accept-Encoding", "")
            collection = await self.engine.scrape(names, self._timeout(request))
            # Requests that share a collection share its body too, rendered and compressed once.
            encoding = collection.rendered.get((fmt, compress))
            if encoding is None:
                encoding = asyncio.ensure_future(self._encode(collection, fmt, compress))
                collection.rendered[(fmt, compress)] = encoding
            body = await asyncio.shield(encoding)
            content_type = OPENMETRICS_CONTENT_TYPE if fmt == "openmetrics" else TEXT_CONTENT_TYPE
            headers = {"Content-Type": content_type}
            if compress:
                headers["Content-Encoding"] = "gzip"
            return web.Response(body=body, headers=headers)
        except Exception:
            status = "500"
            log.exception("error rendering metrics")
            if metrics is not None:
                metrics.errors["encoding"] += 1
            raise
        finally:
            self.in_flight -= 1
            if metrics is not None:
                metrics.in_flight = self.in_flight
                metrics.requests[status] += 1


def landing_page(settings: Settings) -> bytes:
    path = html.escape(settings.telemetry_path)
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="UTF-8"><title>Node Exporter</title></head>
<body>
<header><h1>Node Exporter</h1></header>
<main>
<h2>Prometheus Node Exporter (pyexporter {__version__}, node_exporter {NODE_EXPORTER_COMPAT} compatible)</h2>
<div>Version: {__version__}</div>
<ul><li><a href="{path}">Metrics</a></li></ul>
</main>
</body>
</html>
""".encode()


def build_app(
    settings: Settings,
    collectors: dict[str, Collector] | None = None,
    middlewares: Sequence[Any] = (),
) -> web.Application:
    """The aiohttp application; `collectors` defaults to the enabled ones built from `settings`."""
    if collectors is None:
        collectors = create_collectors(settings)
    plugins = plugin_collectors() & set(collectors)
    engine = ScrapeEngine(collectors, settings.collector_timeout, plugins=plugins)
    exporter_metrics = None if settings.disable_exporter_metrics else ExporterMetrics()
    handler = MetricsHandler(settings, engine, exporter_metrics)
    page = landing_page(settings)

    async def index(_request: web.Request) -> web.Response:
        return web.Response(body=page, content_type="text/html", charset="utf-8")

    app = web.Application(middlewares=list(middlewares))
    app[ENGINE_KEY] = engine
    app[SETTINGS_KEY] = settings
    if settings.telemetry_path != "/":
        app.router.add_get("/", index)
    app.router.add_get(settings.telemetry_path, handler.handle)

    async def on_cleanup(_app: web.Application) -> None:
        engine.shutdown()

    app.on_cleanup.append(on_cleanup)
    return app


def parse_listen_address(address: str) -> tuple[str | None, int]:
    """`host:port`, `[v6]:port` or `:port` (every interface) -> (host, port)."""
    host, sep, port = address.rpartition(":")
    # isascii: str.isdigit() also accepts digits int() refuses ("²"); the length
    # keeps int() away from its 4300-digit ValueError.
    if not sep or not port.isascii() or not port.isdigit() or len(port) > 5 or int(port) > 65535:
        raise ConfigError(f"--web.listen-address: invalid address {address!r} (want host:port)")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return (host or None), int(port)


def connection_limits(settings: Settings, open_files_limit: int) -> ConnectionLimits:
    """The connection bounds from the flags; the cap lowered to fit the open-file limit."""
    timeouts = {}
    for flag in (cli.READ_HEADER_TIMEOUT, cli.TLS_HANDSHAKE_TIMEOUT, cli.IDLE_TIMEOUT, cli.WRITE_TIMEOUT):
        value = settings[flag]
        if not value > 0:
            raise ConfigError(f"--{flag.name} must be positive")
        timeouts[flag.name] = value
    requested = settings[cli.MAX_CONNECTIONS]
    if requested < 1:
        raise ConfigError("--web.max-connections must be at least 1")
    return ConnectionLimits(
        read_header_timeout=timeouts["web.read-header-timeout"],
        tls_handshake_timeout=timeouts["web.tls-handshake-timeout"],
        idle_timeout=timeouts["web.idle-timeout"],
        write_timeout=timeouts["web.write-timeout"],
        max_connections=effective_max_connections(requested, open_files_limit),
    )


def _socket_address(sock: socket.socket) -> str:
    address = sock.getsockname()
    if isinstance(address, tuple):
        host = f"[{address[0]}]" if sock.family == socket.AF_INET6 else address[0]
        return f"{host}:{address[1]}"
    return str(address)


async def serve(settings: Settings, app: web.Application, tracker: ConnectionTracker,
                ssl_context: ssl.SSLContext | None = None, reload: Callable[[], None] | None = None,
                sockets: Sequence[tuple[socket.socket, str]] | None = None) -> int:
    """Listen (on `sockets` from systemd, else on --web.listen-address) and serve until SIGTERM or
    SIGINT; SIGHUP calls `reload` (the web config's)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    def on_hangup() -> None:
        if reload is None:
            log.info("SIGHUP received; there is no --web.config.file to reload")
        else:
            reload()

    loop.add_signal_handler(signal.SIGHUP, on_hangup)
    # aiohttp's own keep-alive timer gets the same bound; the tracker enforces every bound.
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=3.0,
                           keepalive_timeout=tracker.limits.idle_timeout)
    await runner.setup()
    tls = ssl_context is not None
    try:
        if sockets is not None:
            log.info("Listening on systemd activated listeners instead of port listeners.")
            for sock, name in sockets:
                await BoundedSite(runner, tracker, sock=sock, ssl_context=ssl_context).start()
                log.info("Listening on", extra={"address": _socket_address(sock), "fd_name": name,
                                                "http2": False, "tls": tls})
        for address in () if sockets is not None else settings.listen_addresses:
            host, port = parse_listen_address(address)
            site = BoundedSite(runner, tracker, host=host, port=port, ssl_context=ssl_context)
            try:
                await site.start()
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE or "address already in use" in str(exc).lower():
                    sys.stderr.write(f"pyexporter: error: listen tcp {address}: address already in use\n")
                else:
                    sys.stderr.write(f"pyexporter: error: listen tcp {address}: {exc}\n")
                return 1
            log.info("Listening on", extra={"address": address, "http2": False, "tls": tls})
        await stop.wait()
        log.info("Shutting down")
    finally:
        await runner.cleanup()
    return 0


def run(settings: Settings) -> int:
    """Start the exporter; returns the process exit code."""
    # SIGHUP means "reload", as for every Prometheus component; until serve() handles it, one
    # arriving during start-up must not end the process.
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    setup_logging(settings.log_level, settings.log_format)
    runtime.tune_malloc()
    open_files_limit = runtime.raise_open_files_limit()
    # Everything that can refuse the configuration is checked before anything is
    # logged, so a refusal is one line on stderr and exit code 2.
    try:
        sockets = None
        if settings[cli.SYSTEMD_SOCKET]:
            sockets = listening_sockets()
        else:
            for address in settings.listen_addresses:
                parse_listen_address(address)
        limits = connection_limits(settings, open_files_limit)
        web_config = None
        if settings.web_config_file:
            from pyexporter.webconfig.running import load_web_config

            web_config = load_web_config(settings.web_config_file)
        collectors = create_collectors(settings)
    except ConfigError as exc:
        sys.stderr.write(f"pyexporter: error: {exc}\n")
        return 2
    log.info("Starting pyexporter", extra={"version": __version__, "node_exporter": NODE_EXPORTER_COMPAT})
    # The plugins that could not be loaded, one line each: the exporter starts without them.
    log_problems()
    log.info("Reading from", extra={"procfs": settings.roots.procfs, "sysfs": settings.roots.sysfs,
                                    "rootfs": settings.roots.rootfs, "udev": settings.roots.udev_data})
    if limits.max_connections < settings[cli.MAX_CONNECTIONS]:
        log.warning("--web.max-connections lowered to fit the open-file limit", extra={
            "max_connections": limits.max_connections, "open_files_limit": open_files_limit})
    tracker = ConnectionTracker(limits)
    middlewares: list[Any] = [tracker.middleware()]
    ssl_context = None
    if web_config is not None:
        web_config.announce()
        middlewares += web_config.middlewares()
        ssl_context = web_config.ssl_context()
    log.info("Enabled collectors", extra={"collectors": ",".join(settings.enabled_collectors)})
    app = build_app(settings, collectors, middlewares)
    runtime.settle_startup()
    reload = None if web_config is None else functools.partial(web_config.reload, "SIGHUP")
    code = asyncio.run(serve(settings, app, tracker, ssl_context, reload, sockets))
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    # A collector thread stuck in the kernel (a dead NFS mount) would block
    # interpreter exit forever; the process is done, so leave without joining it.
    os._exit(code)

