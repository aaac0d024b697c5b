"""supervisord (deprecated): supervisor.getAllProcessInfo over XML-RPC, as node_exporter's
supervisord collector.

node_exporter calls `--collector.supervisord.url` with mattn/go-xmlrpc: an http(s)
URL as given, or `unix://<socket path>`, which it reaches as http://unix/RPC2 over
that socket. The flag falls back to $SUPERVISORD_URL as kingpin's Envar does.
"""

from __future__ import annotations

import base64
import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from pyexporter.errors import NoDataError, ParseError
from pyexporter.flags import StringFlag
from pyexporter.lazyimport import lazy_module
from pyexporter.metrics import NAMESPACE, MetricFamily, counter, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

# The XML-RPC and HTTP client modules (several MiB) load only when the collector runs.
http = lazy_module("http.client")
xml_expat = lazy_module("xml.parsers.expat")
xmlrpc_client = lazy_module("xmlrpc.client")

log = logging.getLogger(__name__)

DEPRECATION_WARNING = "This collector is deprecated and will be removed in the next major version release."
DEFAULT_URL = "http://localhost:9001/RPC2"
#: node_exporter dials the unix socket with a 10s timeout; the same bounds every HTTP call here.
TIMEOUT = 10.0
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
METHOD = "supervisor.getAllProcessInfo"

# http://supervisord.org/subprocess.html#process-states
STARTING, RUNNING, STOPPING = 10, 20, 40
_RUNNING_STATES = frozenset({STARTING, RUNNING, STOPPING})
_INT64 = range(-(1 << 63), 1 << 63)
_STRING_FIELDS = ("name", "group", "statename")
_INT_FIELDS = ("start", "stop", "now", "state", "exitstatus", "pid")


@dataclass(frozen=True, slots=True)
class ProcessInfo:
    name: str
    group: str
    state: int
    exit_status: int
    start: int
    pid: int
    state_name: str

    @property
    def running(self) -> bool:
        return self.state in _RUNNING_STATES


def decode_response(body: bytes) -> Any:
    """The single value of an XML-RPC methodResponse; a fault or malformed XML is a ParseError."""
    try:
        params, _ = xmlrpc_client.loads(body)
    except xmlrpc_client.Fault as exc:
        raise ParseError(f"XML-RPC fault {exc.faultCode}: {exc.faultString}") from None
    except (xml_expat.ExpatError, ValueError, TypeError, IndexError, KeyError,
            AttributeError, OverflowError, xmlrpc_client.ResponseError) as exc:
        raise ParseError(f"invalid XML-RPC response: {exc}") from None
    if len(params) != 1:
        raise ParseError(f"XML-RPC response has {len(params)} values, 1 expected")
    return params[0]


def parse_process_info(result: Any) -> list[ProcessInfo]:
    """getAllProcessInfo's array of structs as node_exporter reads it.

    node_exporter fills one record for all processes, so a member a struct lacks
    keeps the previous process's value; a member of the wrong type would make its
    type assertion panic, here it is a ParseError. Unknown members are ignored.
    """
    if not isinstance(result, list):
        raise ParseError(f"getAllProcessInfo returned {type(result).__name__}, not an array")
    info: dict[str, Any] = {"name": "", "group": "", "statename": "", "start": 0, "stop": 0, "now": 0,
                            "state": 0, "exitstatus": 0, "pid": 0}
    out = []
    for proc in result:
        if not isinstance(proc, dict):
            raise ParseError(f"getAllProcessInfo element is {type(proc).__name__}, not a struct")
        for key, value in proc.items():
            if key in _STRING_FIELDS:
                if not isinstance(value, str):
                    raise ParseError(f"process member {key!r} is {type(value).__name__}, not a string")
            elif key in _INT_FIELDS:
                if isinstance(value, bool) or not isinstance(value, int) or value not in _INT64:
                    raise ParseError(f"process member {key!r} is not an int: {value!r:.40}")
            else:
                continue
            info[key] = value
        out.append(ProcessInfo(info["name"], info["group"], info["state"], info["exitstatus"],
                               info["start"], info["pid"], info["statename"]))
    return out


def _unix_connection(socket_path: str, timeout: float) -> Any:
    """An HTTPConnection over a unix socket; the Host header says "unix", as node_exporter's does."""

    class UnixHTTPConnection(http.HTTPConnection):
        def connect(self) -> None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.settimeout(self.timeout)
                sock.connect(socket_path)
            except BaseException:
                sock.close()
                raise
            self.sock = sock

    return UnixHTTPConnection("unix", timeout=timeout)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where and how to POST: a unix socket path or an http(s) host, the request path, basic auth."""

    scheme: str
    host: str
    port: int | None
    path: str
    socket_path: str = ""
    authorization: str = ""


def parse_url(url: str) -> Endpoint:
    """The endpoint for a flag value: unix://<path> or http(s)://[user:pass@]host[:port]/path."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ParseError(f"invalid supervisord URL {url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme == "unix":
        return Endpoint("unix", "unix", None, "/RPC2", socket_path=parts.path)
    if scheme not in ("http", "https"):
        raise ParseError(f"unsupported protocol scheme {parts.scheme!r}")
    if not parts.hostname:
        raise ParseError("no Host in request URL")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    auth = ""
    if parts.username is not None:
        creds = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        try:
            # Command-line bytes that were not UTF-8 go out as they came in.
            raw = creds.encode("utf-8", "surrogateescape")
        except UnicodeError:
            raise ParseError("invalid user info in supervisord URL") from None
        auth = "Basic " + base64.b64encode(raw).decode()
    return Endpoint(scheme, parts.hostname, port, path, authorization=auth)


def call(endpoint: Endpoint, method: str, timeout: float = TIMEOUT) -> Any:
    """One XML-RPC call without parameters. OSError when supervisord cannot be reached,
    ParseError for an HTTP error status or a reply that is not XML-RPC."""
    body = xmlrpc_client.dumps((), method).encode()
    headers = {"Content-Type": "text/xml", "User-Agent": "Go-http-client/1.1"}
    if endpoint.authorization:
        headers["Authorization"] = endpoint.authorization
    conn: Any = None
    try:
        if endpoint.scheme == "unix":
            conn = _unix_connection(endpoint.socket_path, timeout)
        elif endpoint.scheme == "https":
            conn = http.HTTPSConnection(endpoint.host, endpoint.port, timeout=timeout)
        else:
            conn = http.HTTPConnection(endpoint.host, endpoint.port, timeout=timeout)
        conn.request("POST", endpoint.path, body, headers)
        resp = conn.getresponse()
        data = resp.read(MAX_RESPONSE_BYTES + 1)
    except http.HTTPException as exc:
        raise ParseError(f"bad HTTP response: {exc!r}") from None
    except ValueError as exc:
        # A host name IDNA cannot encode, a NUL in the socket path, a header Python refuses.
        raise ParseError(f"unusable supervisord URL: {exc}") from None
    finally:
        if conn is not None:
            conn.close()
    if len(data) > MAX_RESPONSE_BYTES:
        raise ParseError(f"response larger than {MAX_RESPONSE_BYTES} bytes")
    if not 200 <= resp.status < 300:
        raise ParseError(f"HTTP status {resp.status} {resp.reason}")
    return decode_response(data)


URL = StringFlag("collector.supervisord.url", "XML RPC endpoint.", DEFAULT_URL, envar="SUPERVISORD_URL")


@register
class SupervisordCollector(Collector):
    name = "supervisord"
    default_enabled = False
    flags = (URL,)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.url = settings[URL] or DEFAULT_URL
        log.warning(DEPRECATION_WARNING, extra={"collector": self.name})
        labels = ("name", "group")
        sub = f"{NAMESPACE}_supervisord"
        self.up = gauge(f"{sub}_up", "Process Up", *labels)
        self.state = gauge(f"{sub}_state", "Process State", *labels)
        self.exit_status = gauge(f"{sub}_exit_status", "Process Exit Status", *labels)
        self.start_time = counter(f"{sub}_start_time_seconds", "Process start time", *labels)

    def collect(self) -> Iterator[MetricFamily]:
        try:
            # An unusable URL fails each scrape, not the start, as in node_exporter.
            result = call(parse_url(self.url), METHOD)
        except OSError as exc:
            raise NoDataError(f"unable to call supervisord: {exc}") from None
        except ParseError as exc:
            raise ParseError(f"unable to call supervisord: {exc}") from None
        up, state, exit_status, start_time = (d.family() for d in (self.up, self.state, self.exit_status,
                                                                    self.start_time))
        for proc in parse_process_info(result):
            state.add(proc.state, proc.name, proc.group)
            exit_status.add(proc.exit_status, proc.name, proc.group)
            if proc.running:
                up.add(1, proc.name, proc.group)
                start_time.add(proc.start, proc.name, proc.group)
            else:
                up.add(0, proc.name, proc.group)
            # LogRecord reserves "name": the process name goes under "process_name".
            log.debug("process info", extra={"group": proc.group, "process_name": proc.name,
                                             "state": proc.state_name, "pid": proc.pid})
        yield from (up, state, exit_status, start_time)
