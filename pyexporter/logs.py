"""Logging in node_exporter's formats: logfmt (the default) and JSON; client errors rate-limited."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable

from aiohttp.http_exceptions import HttpProcessingError

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}
_NAMES = {logging.DEBUG: "DEBUG", logging.INFO: "INFO", logging.WARNING: "WARN", logging.ERROR: "ERROR",
          logging.CRITICAL: "ERROR"}
_RESERVED = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


def _timestamp(record: logging.LogRecord) -> str:
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
    return f"{base}.{int(record.msecs):03d}Z"


def _extras(record: logging.LogRecord) -> dict[str, object]:
    return {k: v for k, v in record.__dict__.items() if k not in _RESERVED and not k.startswith("_")}


def _logfmt_value(value: object) -> str:
    text = str(value)
    if text == "" or any(c in text for c in ' ="\\\n'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return text


class LogfmtFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        parts = [
            f"time={_timestamp(record)}",
            f"level={_NAMES.get(record.levelno, record.levelname)}",
            f"source={record.module}.py:{record.lineno}",
            f"msg={_logfmt_value(record.getMessage())}",
        ]
        parts.extend(f"{k}={_logfmt_value(v)}" for k, v in _extras(record).items())
        if record.exc_info and record.levelno >= logging.ERROR and logging.getLogger().level <= logging.DEBUG:
            parts.append(f"trace={_logfmt_value(self.formatException(record.exc_info))}")
        return " ".join(parts)


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, object] = {
            "time": _timestamp(record),
            "level": _NAMES.get(record.levelno, record.levelname),
            "source": f"{record.module}.py:{record.lineno}",
            "msg": record.getMessage(),
        }
        doc.update({k: str(v) for k, v in _extras(record).items()})
        return json.dumps(doc)


#: Client errors logged at the default level: at most this many at once, then one per interval.
CLIENT_ERROR_BURST = 3
CLIENT_ERROR_INTERVAL = 20.0
#: aiohttp's text for requests it could not handle (web_protocol.RequestHandler.handle_error).
_AIOHTTP_REQUEST_ERROR = "Error handling request"
#: Never more of a client's text than this in a log line.
_CLIENT_TEXT_MAX = 200


class RateLimit:
    """A token bucket for log lines: `burst` at once, then one per `interval` seconds."""

    def __init__(self, burst: int, interval: float, clock: Callable[[], float] = time.monotonic):
        self.burst = burst
        self.interval = interval
        self.clock = clock
        self.tokens = float(burst)
        self.last = clock()
        self.suppressed = 0

    def take(self) -> int | None:
        """None when this line is to be left out; else how many were left out since the last one."""
        now = self.clock()
        self.tokens = min(float(self.burst), self.tokens + (now - self.last) / self.interval)
        self.last = now
        if self.tokens < 1.0:
            self.suppressed += 1
            return None
        self.tokens -= 1.0
        left_out, self.suppressed = self.suppressed, 0
        return left_out


class ClientErrorLimit(logging.Filter):
    """Requests aiohttp could not parse are a client's doing, not the exporter's: anyone who can
    reach the port could otherwise write a line (with a traceback) per request into the log.

    With --log.level=debug each one is logged, at debug level. Otherwise they are warnings without
    traceback, at most CLIENT_ERROR_BURST at once and then one per CLIENT_ERROR_INTERVAL; the next
    line let through carries `suppressed=N`, the count left out since the previous one (as the
    kernel's printk_ratelimit reports "callbacks suppressed"). Errors of the exporter's own (an
    exception in a handler) are not limited.
    """

    def __init__(self, burst: int = CLIENT_ERROR_BURST, interval: float = CLIENT_ERROR_INTERVAL,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.limit = RateLimit(burst, interval, clock)

    def is_client_error(self, record: logging.LogRecord) -> bool:
        if not isinstance(record.msg, str) or not record.msg.startswith(_AIOHTTP_REQUEST_ERROR):
            return False
        exc = record.exc_info[1] if record.exc_info else None
        return isinstance(exc, HttpProcessingError)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.is_client_error(record):
            return True
        exc = record.exc_info[1] if record.exc_info else None
        message = getattr(exc, "message", None) or str(exc)
        record.err = " ".join(str(message).split())[:_CLIENT_TEXT_MAX]
        record.exc_info = None
        record.exc_text = None
        if logging.getLogger().isEnabledFor(logging.DEBUG):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return True
        left_out = self.limit.take()
        if left_out is None:
            return False
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        if left_out:
            record.suppressed = left_out
        return True


def setup_logging(level: str, fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JSONFormatter() if fmt == "json" else LogfmtFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(_LEVELS.get(level, logging.INFO))
    # aiohttp's access log would print every scrape; node_exporter logs none.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    server_log = logging.getLogger("aiohttp.server")
    for old in [f for f in server_log.filters if isinstance(f, ClientErrorLimit)]:
        server_log.removeFilter(old)
    server_log.addFilter(ClientErrorLimit())
