"""Every connection bounded in time and in number.

pyexporter listens on every node, usually reachable from the whole node network. node_exporter
(Go's http.Server without timeouts) keeps a connection open for as long as the peer likes; so did
aiohttp here. Each accepted connection now goes through a `Connection` protocol in front of
aiohttp's RequestHandler, which tells the `ConnectionTracker` where the connection is:

    HANDSHAKE  TLS only: accepted, handshake not finished        --web.tls-handshake-timeout
    HEADER     a request begun (or the connection new), its header not yet handed to the
               application: a slowloris client dribbling a header  --web.read-header-timeout
    REQUEST    the application has the request; the scrape engine bounds it (--collector.timeout)
    RESPONSE   the response is written, the client has not taken all of it (from asyncio's
               buffers or the kernel's send queue)                   --web.write-timeout
    IDLE       keep-alive between two requests                   --web.idle-timeout

A connection past the bound of its phase is closed (aborted: a stalled peer gets no graceful TLS
shutdown to stall in too). A bound counts from when the phase began and is not extended by
progress, so one byte every few seconds does not keep a header open.

At most `max_connections` are open (`--web.max-connections`). A connection accepted beyond it
takes the place of the connection that has waited longest on its client, in whichever phase
(mid-handshake, mid-header, unread response or idle keep-alive). Connections whose request is
being answered are never closed for a newcomer; only if every connection is such a one is the
newcomer closed at once. So stalled connections cannot lock Prometheus out: its new connection is
the youngest, and sends its whole request at once; it could only be given up if more than
--web.max-connections connections arrived after it before that request did. Its keep-alive
connection may be given up between two scrapes under such pressure, which costs the next scrape a
new connection, not an answer.

TLS is started by the protocol itself (`loop.start_tls`) rather than by the listening server, so
that a connection is counted, bounded and evictable from the moment it is accepted, also while
its handshake is pending (asyncio's server-side TLS gives the application nothing until the
handshake is done).
"""

from __future__ import annotations

import asyncio
import enum
import fcntl
import logging
import math
import socket
import ssl
import sys
import termios
from asyncio import sslproto
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from pyexporter.errors import ConfigError
from pyexporter.logs import RateLimit

log = logging.getLogger("pyexporter.connections")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: Descriptors kept free of connections: the exporter's own files and sockets (collectors read
#: files one at a time per worker; netlink, D-Bus, listening sockets, logs) and one batch of
#: accepts (asyncio accepts up to the listen backlog, 128, before the cap sees them).
DESCRIPTOR_RESERVE = 256
#: How often a connection whose response the client has not read yet is looked at (its buffer
#: drains without an event).
RESPONSE_POLL = 0.2
#: Application data that arrives with the end of a TLS handshake, before start_tls has returned,
#: is kept for the handler; a client sending more than this before its first request is answered
#: is not an HTTP client.
EARLY_DATA_MAX = 64 * 1024
#: Bytes asyncio's TLS layer reads at once. Python 3.11+ allocates a buffer of this size for every
#: TLS connection as soon as it is accepted (asyncio.sslproto.SSLProtocol.max_size, 256 KiB): 128 MiB
#: for 512 handshakes that never finish. A request is a few hundred bytes; one TLS record will do.
TLS_READ_SIZE = 16 * 1024
#: Warnings about the cap: three at once, then one a minute, the next counting those left out.
LIMIT_LOG_BURST = 3
LIMIT_LOG_INTERVAL = 60.0


class Phase(enum.Enum):
    HANDSHAKE = "tls handshake"
    HEADER = "request header"
    REQUEST = "request"
    RESPONSE = "response write"
    IDLE = "idle keep-alive"


#: Phases in which a connection waits on its client (and so has a bound).
WAITING = (Phase.HANDSHAKE, Phase.HEADER, Phase.RESPONSE, Phase.IDLE)


@dataclass(frozen=True)
class ConnectionLimits:
    """The flags' values, in seconds and connections (defaults: docs/robustness.md says why)."""

    read_header_timeout: float = 10.0
    tls_handshake_timeout: float = 10.0
    idle_timeout: float = 360.0
    write_timeout: float = 60.0
    max_connections: int = 512

    def bound(self, phase: Phase) -> float:
        return {Phase.HANDSHAKE: self.tls_handshake_timeout, Phase.HEADER: self.read_header_timeout,
                Phase.RESPONSE: self.write_timeout, Phase.IDLE: self.idle_timeout}[phase]


def effective_max_connections(requested: int, open_files_limit: int) -> int:
    """The cap in force: `requested`, lowered so that the connections and DESCRIPTOR_RESERVE fit
    the open-file limit. Raises ConfigError when the limit leaves no room for connections."""
    if open_files_limit < 0 or open_files_limit >= requested + DESCRIPTOR_RESERVE:
        return requested
    room = open_files_limit - DESCRIPTOR_RESERVE
    if room < 8:
        raise ConfigError(f"--web.max-connections: the open-file limit ({open_files_limit}) leaves no room "
                          f"for connections besides the {DESCRIPTOR_RESERVE} descriptors pyexporter keeps "
                          "for itself; raise LimitNOFILE / ulimit -n")
    return room


class Connection(asyncio.Protocol):
    """One accepted connection: aiohttp's handler behind it, the tracker told of each phase."""

    def __init__(self, tracker: ConnectionTracker, make_handler: Callable[[], asyncio.Protocol],
                 ssl_context: ssl.SSLContext | None):
        self.tracker = tracker
        self.make_handler = make_handler
        self.ssl_context = ssl_context
        #: The accepted TCP transport, and the one the handler writes to (the TLS one over it).
        self.raw: asyncio.Transport | None = None
        self.transport: asyncio.Transport | None = None
        self.handler: asyncio.Protocol | None = None
        self.phase: Phase | None = None
        self.in_flight = 0
        self.closed = False
        #: The task running the TLS handshake (held: the loop keeps only weak references to tasks).
        self.handshake: asyncio.Task[None] | None = None
        #: Data (and EOF) that arrived after the handshake but before start_tls returned.
        self.early = b""
        self.early_eof = False

    def peer(self) -> str:
        name = self.raw.get_extra_info("peername") if self.raw is not None else None
        return f"{name[0]}:{name[1]}" if isinstance(name, tuple) and len(name) >= 2 else str(name)

    # -- asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.raw = transport
        if not self.tracker.admit(self):
            transport.abort()
            return
        if self.ssl_context is None:
            self._start_http(transport)
        else:
            self.tracker.enter(self, Phase.HANDSHAKE)
            self.handshake = asyncio.get_running_loop().create_task(self._handshake(transport))

    def data_received(self, data: bytes) -> None:
        if self.handler is None:
            # The TLS layer delivers what came with the end of the handshake before start_tls
            # returns to _handshake(): kept for the handler.
            self.early += data
            if len(self.early) > EARLY_DATA_MAX:
                self.tracker.forget(self)
                self.abort()
            return
        if self.phase is Phase.IDLE:
            # The first byte of the next request: its header is now on the clock.
            self.tracker.enter(self, Phase.HEADER)
        self.handler.data_received(data)

    def eof_received(self) -> bool | None:
        if self.handler is None:
            self.early_eof = True
            return True
        return self.handler.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self.tracker.forget(self)
        if self.handler is not None:
            self.handler.connection_lost(exc)

    def pause_writing(self) -> None:
        if self.handler is not None:
            self.handler.pause_writing()

    def resume_writing(self) -> None:
        if self.handler is not None:
            self.handler.resume_writing()

    # -- the rest

    async def _handshake(self, raw: asyncio.Transport) -> None:
        loop = asyncio.get_running_loop()
        assert self.ssl_context is not None
        try:
            transport = await loop.start_tls(
                raw, self, self.ssl_context, server_side=True,
                ssl_handshake_timeout=self.tracker.limits.tls_handshake_timeout)
        except asyncio.CancelledError:
            self.tracker.forget(self)
            raise
        except Exception as exc:  # a refused, broken or timed-out handshake: the client's doing
            log.debug("TLS handshake failed",
                      extra={"peer": self.peer(), "err": str(exc) or type(exc).__name__})
            self.tracker.forget(self)
            return
        if transport is None or self.closed:
            # Python 3.10 returns None when the peer left during the handshake.
            self.tracker.forget(self)
            raw.abort()
            return
        self._start_http(transport)

    def _start_http(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        handler = self.handler = self.make_handler()
        self.tracker.started(self, transport)
        handler.connection_made(transport)
        if self.early:
            early, self.early = self.early, b""
            handler.data_received(early)
        if self.early_eof:
            handler.eof_received()

    def pending_bytes(self) -> int:
        """Bytes of the response the client has not taken yet: in asyncio's buffers (TLS: also those
        not yet encrypted), and in the kernel's send queue, not yet acknowledged. Counting the
        kernel's too makes the write bound the client's, whatever the buffer sizes: a response
        that fits in the send queue of a client that never reads is still unread."""
        total = 0
        for transport in {self.raw, self.transport}:
            if transport is not None:
                try:
                    total += transport.get_write_buffer_size()
                except Exception:  # a transport torn down under us holds nothing more
                    pass
        sock = self.raw.get_extra_info("socket") if self.raw is not None else None
        if sock is not None:
            try:
                # SIOCOUTQ (the same number as TIOCOUTQ): unacknowledged bytes in the send queue.
                outq = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
                total += int.from_bytes(outq, sys.byteorder, signed=True)
            except (OSError, ValueError):
                pass
        return total

    def abort(self) -> None:
        transport = self.transport or self.raw
        if transport is not None:
            transport.abort()


class ConnectionTracker:
    """The open connections, the phase of each, and the one timer that enforces the bounds."""

    def __init__(self, limits: ConnectionLimits):
        self.limits = limits
        self.open: set[Connection] = set()
        #: The transport aiohttp's handler writes to -> its connection (for the middleware).
        self.by_transport: dict[Any, Connection] = {}
        #: Connections waiting on their client, per phase, oldest first, with when they began to.
        self.waiting: dict[Phase, OrderedDict[Connection, float]] = {
            phase: OrderedDict() for phase in WAITING}
        #: Connections closed by pyexporter, by reason (a phase's bound, "evicted", "refused").
        self.closed: Counter[str] = Counter()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf
        self._limit_log = RateLimit(LIMIT_LOG_BURST, LIMIT_LOG_INTERVAL)

    # -- what the site and the middleware call

    def protocol_factory(self, make_handler: Callable[[], asyncio.Protocol],
                         ssl_context: ssl.SSLContext | None) -> Callable[[], Connection]:
        def factory() -> Connection:
            return Connection(self, make_handler, ssl_context)

        return factory

    def middleware(self) -> Any:
        """The outermost middleware: marks a connection's request as being answered, and after it
        whether the client still has to read the response."""

        @web.middleware
        async def connection_phase(request: web.Request, handler: Handler) -> web.StreamResponse:
            conn = self.by_transport.get(request.transport)
            if conn is None:
                return await handler(request)
            conn.in_flight += 1
            self.enter(conn, Phase.REQUEST)
            try:
                return await handler(request)
            finally:
                conn.in_flight -= 1
                if not conn.in_flight:
                    # aiohttp writes the response after the handler returns; look once it has.
                    asyncio.get_running_loop().call_soon(self._after_response, conn)

        return connection_phase

    def abort_handshakes(self) -> None:
        """At shutdown: aiohttp closes the connections it has; these it never saw."""
        for conn in list(self.waiting[Phase.HANDSHAKE]):
            self.forget(conn)
            conn.abort()
        if self._timer is not None:
            self._timer.cancel()
            self._timer, self._timer_at = None, math.inf

    # -- what connections call

    def admit(self, conn: Connection) -> bool:
        if len(self.open) >= self.limits.max_connections:
            victim = self._longest_waiting()
            if victim is None:
                self.closed["refused"] += 1
                self._warn_limit("Connection limit reached and every connection is being answered; "
                                 "new connection closed", conn)
                return False
            self._close(victim, "evicted")
            self._warn_limit("Connection limit reached; closed the connection that waited longest on its "
                             "client", victim)
        self.open.add(conn)
        return True

    def started(self, conn: Connection, transport: asyncio.Transport) -> None:
        """The handshake (if any) is done and aiohttp's handler has the connection."""
        self.by_transport[transport] = conn
        self.enter(conn, Phase.HEADER)

    def enter(self, conn: Connection, phase: Phase) -> None:
        if conn.closed:
            return
        if conn.phase in self.waiting:
            del self.waiting[conn.phase][conn]
        conn.phase = phase
        if phase in self.waiting:
            now = asyncio.get_running_loop().time()
            self.waiting[phase][conn] = now
            self._wake_at(now + (RESPONSE_POLL if phase is Phase.RESPONSE else self.limits.bound(phase)))

    def forget(self, conn: Connection) -> None:
        """The connection is gone (or going): it no longer counts."""
        if conn.closed:
            return
        conn.closed = True
        self.open.discard(conn)
        if conn.phase in self.waiting:
            self.waiting[conn.phase].pop(conn, None)
        if conn.transport is not None:
            self.by_transport.pop(conn.transport, None)

    # -- the rest

    def _after_response(self, conn: Connection) -> None:
        if conn.closed or conn.in_flight or conn.phase is not Phase.REQUEST:
            return
        self.enter(conn, Phase.RESPONSE if conn.pending_bytes() else Phase.IDLE)

    def _longest_waiting(self) -> Connection | None:
        """The connection waiting on its client the longest (each phase's queue is oldest first)."""
        heads = [next(iter(queue.items())) for queue in self.waiting.values() if queue]
        return min(heads, key=lambda head: head[1])[0] if heads else None

    def _close(self, conn: Connection, reason: str) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug("Closing connection", extra={"peer": conn.peer(), "reason": reason})
        self.forget(conn)
        self.closed[reason] += 1
        conn.abort()

    def _warn_limit(self, message: str, conn: Connection) -> None:
        left_out = self._limit_log.take()
        if left_out is None:
            log.debug(message, extra={"peer": conn.peer()})
            return
        extra: dict[str, object] = {"max_connections": self.limits.max_connections, "peer": conn.peer()}
        if left_out:
            extra["suppressed"] = left_out
        log.warning(message, extra=extra)

    def _wake_at(self, when: float) -> None:
        if when >= self._timer_at:
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = when
        self._timer = asyncio.get_running_loop().call_at(when, self._sweep)

    def _sweep(self) -> None:
        self._timer, self._timer_at = None, math.inf
        now = asyncio.get_running_loop().time()
        for phase in (Phase.HANDSHAKE, Phase.HEADER, Phase.IDLE):
            queue, bound = self.waiting[phase], self.limits.bound(phase)
            while queue:
                conn, since = next(iter(queue.items()))
                if since + bound > now:
                    break
                self._close(conn, phase.value)
        writing = self.waiting[Phase.RESPONSE]
        for conn, since in list(writing.items()):
            if not conn.pending_bytes():
                self.enter(conn, Phase.IDLE)
            elif since + self.limits.write_timeout <= now:
                self._close(conn, Phase.RESPONSE.value)
        for phase in (Phase.HANDSHAKE, Phase.HEADER, Phase.IDLE):
            if self.waiting[phase]:
                self._wake_at(next(iter(self.waiting[phase].values())) + self.limits.bound(phase))
        if writing:
            self._wake_at(now + RESPONSE_POLL)


class BoundedSite(web.BaseSite):
    """An aiohttp site whose connections go through a ConnectionTracker: listening on an address,
    or on a socket already listening (systemd socket activation)."""

    def __init__(self, runner: web.BaseRunner, tracker: ConnectionTracker, *, host: str | None = None,
                 port: int | None = None, sock: socket.socket | None = None,
                 ssl_context: ssl.SSLContext | None = None, backlog: int = 128):
        super().__init__(runner, ssl_context=ssl_context, backlog=backlog)
        self.tracker = tracker
        self.host = host
        self.port = port
        self.sock = sock

    @property
    def name(self) -> str:
        scheme = "https" if self._ssl_context else "http"
        if self.sock is not None:
            address = self.sock.getsockname()
            return f"{scheme}://{address[0]}:{address[1]}" if isinstance(address, tuple) else str(address)
        return f"{scheme}://{self.host or '0.0.0.0'}:{self.port}"

    async def start(self) -> None:
        await super().start()
        server = self._runner.server
        assert server is not None
        factory = self.tracker.protocol_factory(server, self._ssl_context)
        if self._ssl_context is not None:
            # A class attribute, read when each connection's TLS layer is made; nothing else in the
            # process uses asyncio's TLS.
            sslproto.SSLProtocol.max_size = TLS_READ_SIZE
        loop = asyncio.get_running_loop()
        if self.sock is not None:
            self._server = await loop.create_server(factory, sock=self.sock, backlog=self._backlog)
        else:
            self._server = await loop.create_server(factory, self.host, self.port, backlog=self._backlog,
                                                    reuse_address=True)

    async def stop(self) -> None:
        await super().stop()
        self.tracker.abort_handshakes()
