"""Logging: client errors rate-limited at the default level, one debug line each at debug level;
and, on the real process, 10,000 malformed requests."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from aiohttp.http_exceptions import BadHttpMessage, LineTooLong

from pyexporter.logs import ClientErrorLimit, LogfmtFormatter
from tests.support import free_port, start_pyexporter, stderr_lines_until


def aiohttp_record(exc: BaseException | None,
                   msg: str = "Error handling request from %s") -> logging.LogRecord:
    """A record as aiohttp's RequestHandler.handle_error logs it (logger.exception)."""
    return logging.LogRecord("aiohttp.server", logging.ERROR, "web_protocol.py", 548, msg, ("10.0.0.9",),
                             (type(exc), exc, None) if exc is not None else None)


@pytest.fixture
def info_level():
    root = logging.getLogger()
    old = root.level
    root.setLevel(logging.INFO)
    yield
    root.setLevel(old)


def test_client_errors_are_rate_limited_with_a_count(info_level):
    now = [0.0]
    limit = ClientErrorLimit(burst=3, interval=20.0, clock=lambda: now[0])
    passed = []
    for i in range(1000):
        now[0] = i * 0.01  # 1,000 bad requests in 10 s
        record = aiohttp_record(BadHttpMessage(f"Bad header {i}\r\nInjected: yes"))
        if limit.filter(record):
            passed.append(record)
    assert len(passed) == 3
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in passed)
    assert passed[0].err == "Bad header 0 Injected: yes"  # one line, whatever the client sent
    now[0] = 30.0
    record = aiohttp_record(LineTooLong(b"x" * 10_000, 8190))
    assert limit.filter(record)
    assert record.suppressed == 997 and len(record.err) <= 200
    line = LogfmtFormatter().format(record)
    assert "level=WARN" in line and "suppressed=997" in line and "\n" not in line
    # The count starts again.
    now[0] = 60.0
    record = aiohttp_record(BadHttpMessage("again"))
    assert limit.filter(record) and not hasattr(record, "suppressed")


def test_errors_of_the_exporter_itself_are_not_limited(info_level):
    limit = ClientErrorLimit(burst=1, interval=3600.0, clock=lambda: 0.0)
    for _ in range(5):
        record = aiohttp_record(RuntimeError("a bug in a handler"))
        assert limit.filter(record) and record.levelno == logging.ERROR and record.exc_info is not None
    other = logging.LogRecord("aiohttp.server", logging.ERROR, "x.py", 1, "Unhandled exception", (), None)
    assert limit.filter(other)


def test_debug_level_logs_each_client_error_at_debug():
    root = logging.getLogger()
    old = root.level
    root.setLevel(logging.DEBUG)
    try:
        limit = ClientErrorLimit(burst=1, interval=3600.0, clock=lambda: 0.0)
        records = [aiohttp_record(BadHttpMessage("bad")) for _ in range(50)]
        assert all(limit.filter(r) for r in records)
        assert {r.levelno for r in records} == {logging.DEBUG}
    finally:
        root.setLevel(old)


MALFORMED = (
    b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
    b"GET / HTTP/9.9\r\n\r\n",
    b"GET / HTTP/1.1\r\nX: " + b"b" * 10_000 + b"\r\n\r\n",
    b"GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE\r\n\r\n",
    b"\x16\x03\x01\x00\xa5\x01\x00\x00\r\n\r\n",
)


async def send_malformed(port: int, count: int, concurrency: int, deadline: float) -> int:
    sent = 0

    async def worker() -> None:
        nonlocal sent
        while sent < count and time.monotonic() < deadline:
            payload = MALFORMED[sent % len(MALFORMED)]
            sent += 1
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                writer.write(payload)
                await asyncio.wait_for(reader.read(), 5)  # the 400, then the server closes
            except Exception:  # a reset, or no answer in time (asyncio's own TimeoutError on 3.10)
                pass
            finally:
                writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return sent


@pytest.mark.slow
def test_ten_thousand_malformed_requests_add_few_lines():
    port = free_port()
    proc = start_pyexporter(port)
    try:
        stderr_lines_until(proc, "Listening on")
        sent = asyncio.run(send_malformed(port, 10_000, 20, time.monotonic() + 90))
        assert sent == 10_000
        proc.terminate()
        assert proc.wait(10) == 0
        lines = [line for line in proc.stderr.read().splitlines() if line]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    client_lines = [line for line in lines if "Error handling request" in line]
    assert len(lines) < 10, lines  # "Shutting down" and the few rate-limited warnings
    assert 1 <= len(client_lines) <= 3 and all("level=WARN" in line for line in client_lines)
    assert not any("Traceback" in line or "trace=" in line for line in lines)
