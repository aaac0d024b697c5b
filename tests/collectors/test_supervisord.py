import base64
import http.server
import logging
import socket
import socketserver
import threading
import xmlrpc.client
from collections.abc import Iterator
from contextlib import contextmanager
from xmlrpc.server import SimpleXMLRPCDispatcher, SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyexporter.collectors.supervisord import (
    DEFAULT_URL,
    DEPRECATION_WARNING,
    METHOD,
    Endpoint,
    ProcessInfo,
    call,
    decode_response,
    parse_process_info,
    parse_url,
)
from pyexporter.errors import NoDataError, ParseError
from tests.support import NODE_EXPORTER, collect_text, free_port, make_collector, samples, scrape_once


def proc(name: str, group: str, state: int, start: int = 1_700_000_000, exitstatus: int = 0,
         pid: int = 0, **extra) -> dict:
    """One getAllProcessInfo struct as supervisord 4 returns it."""
    return {"name": name, "group": group, "description": "", "start": start, "stop": 0,
            "now": 1_700_000_100, "state": state, "statename": "X", "spawnerr": "",
            "exitstatus": exitstatus, "logfile": "", "stdout_logfile": "", "stderr_logfile": "",
            "pid": pid} | extra


PROCESSES = [
    proc("web", "web", 20, pid=4242),                        # RUNNING
    proc("worker_00", "workers", 10, start=1_700_000_050),   # STARTING
    proc("worker_01", "workers", 40, start=1_600_000_000),   # STOPPING
    proc("cron", "cron", 0, exitstatus=0),                   # STOPPED
    proc("flappy", "flappy", 30, exitstatus=1),              # BACKOFF
    proc("batch", "batch", 100, exitstatus=3),               # EXITED
    proc("broken", "broken", 200, exitstatus=127),           # FATAL
    proc("odd", "odd", 1000),                                # UNKNOWN
]


# --- pure functions ------------------------------------------------------------------------------

def test_parse_process_info():
    infos = parse_process_info([proc("a", "g", 20, start=5, exitstatus=2, pid=9)])
    assert infos == [ProcessInfo("a", "g", 20, 2, 5, 9, "X")]
    assert infos[0].running


@pytest.mark.parametrize(("state", "running"), [
    (0, False), (10, True), (20, True), (30, False), (40, True), (100, False), (200, False),
    (1000, False), (-1, False),
])
def test_running_states(state, running):
    assert parse_process_info([proc("a", "g", state)])[0].running is running


def test_missing_members_keep_the_previous_value():
    # node_exporter fills one record for all processes.
    infos = parse_process_info([proc("a", "g", 20, start=5), {"name": "b", "state": 0}, {}])
    assert infos[1] == ProcessInfo("b", "g", 0, 0, 5, 0, "X")
    assert infos[2] == infos[1]
    assert parse_process_info([{}]) == [ProcessInfo("", "", 0, 0, 0, 0, "")]


def test_unknown_members_are_ignored():
    infos = parse_process_info([proc("a", "g", 20, spawnerr=[1, 2], logfile=None, description=3.5)])
    assert infos[0].name == "a"


@pytest.mark.parametrize("result", [
    None, "text", 3, {"name": "a"},
    ["not a struct"],
    [{"name": 3}],
    [{"group": None}],
    [{"state": "20"}],
    [{"state": True}],          # a boolean is not an int for go-xmlrpc
    [{"start": 1.5}],
    [{"pid": 1 << 63}],
    [{"exitstatus": xmlrpc.client.DateTime()}],
])
def test_parse_process_info_rejects(result):
    with pytest.raises(ParseError):
        parse_process_info(result)


def test_parse_process_info_empty_array():
    assert parse_process_info([]) == []


def test_decode_response():
    body = xmlrpc.client.dumps(([proc("a", "g", 20)],), methodresponse=True).encode()
    assert decode_response(body) == [proc("a", "g", 20)]


@pytest.mark.parametrize("body", [
    b"",
    b"garbage",
    b"<?xml version='1.0'?><methodResponse><params><param><value><int>1</int>",
    b"<methodResponse><params><param><value><int>x</int></value></param></params></methodResponse>",
    b"<methodResponse><params></params></methodResponse>",
    b"<methodResponse><params><param><value><bogus>1</bogus></value></param></params></methodResponse>",
    xmlrpc.client.dumps(xmlrpc.client.Fault(1, "UNKNOWN_METHOD"), methodresponse=True).encode(),
    b"\xff\xfe\x00garbage",
])
def test_decode_response_rejects(body):
    with pytest.raises(ParseError):
        decode_response(body)


@pytest.mark.parametrize(("url", "expected"), [
    ("http://localhost:9001/RPC2", Endpoint("http", "localhost", 9001, "/RPC2")),
    ("HTTP://127.0.0.1/RPC2?x=1", Endpoint("http", "127.0.0.1", None, "/RPC2?x=1")),
    ("http://[::1]:9001", Endpoint("http", "::1", 9001, "/")),
    ("https://sup.example/RPC2", Endpoint("https", "sup.example", None, "/RPC2")),
    ("unix:///run/supervisor.sock",
     Endpoint("unix", "unix", None, "/RPC2", socket_path="/run/supervisor.sock")),
    ("unix:/tmp/s.sock", Endpoint("unix", "unix", None, "/RPC2", socket_path="/tmp/s.sock")),
    ("http://user:p%40ss@h:1/RPC2",
     Endpoint("http", "h", 1, "/RPC2", authorization="Basic " + base64.b64encode(b"user:p@ss").decode())),
])
def test_parse_url(url, expected):
    assert parse_url(url) == expected


@pytest.mark.parametrize("url", ["", "ftp://h/RPC2", "localhost:9001", "http://", "http://h:99999/", "/RPC2",
                                 "http://\ud800:x@h/RPC2"])
def test_parse_url_rejects(url):
    with pytest.raises(ParseError):
        parse_url(url)


# --- fake servers --------------------------------------------------------------------------------

class _Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/RPC2",)
    required_auth: str | None = None

    def do_POST(self) -> None:
        if self.required_auth and self.headers.get("Authorization") != self.required_auth:
            self.send_response(401)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_POST()


def _register(server: SimpleXMLRPCDispatcher, processes: list) -> None:
    server.register_function(lambda: processes, METHOD)


@contextmanager
def serving(server: socketserver.BaseServer) -> Iterator[None]:
    """The server answering on a thread of its own until the block ends."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def fake_supervisord(processes: list, auth: str | None = None) -> Iterator[int]:
    handler = type("Handler", (_Handler,), {"required_auth": auth})
    server = SimpleXMLRPCServer(("127.0.0.1", 0), requestHandler=handler, logRequests=False,
                                allow_none=True)
    _register(server, processes)
    with serving(server):
        yield server.server_address[1]


class _UnixHandler(_Handler):
    disable_nagle_algorithm = False  # TCP_NODELAY does not apply to a unix socket


class _UnixXMLRPCServer(socketserver.UnixStreamServer, SimpleXMLRPCDispatcher):
    def __init__(self, path: str) -> None:
        self.logRequests = False
        SimpleXMLRPCDispatcher.__init__(self, allow_none=True, encoding=None)
        socketserver.UnixStreamServer.__init__(self, path, _UnixHandler)


@contextmanager
def fake_unix_supervisord(path: str, processes: list) -> Iterator[str]:
    server = _UnixXMLRPCServer(path)
    _register(server, processes)
    with serving(server):
        yield path


@contextmanager
def fake_http(status: int, body: bytes) -> Iterator[int]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    with serving(server):
        yield server.server_address[1]


def supervisord_collector(tmp_path, url: str):
    return make_collector("supervisord", tmp_path, f"--collector.supervisord.url={url}")


def expected_samples(processes: list) -> dict[str, float]:
    out = {}
    for p in processes:
        labels = f'{{group="{p["group"]}",name="{p["name"]}"}}'
        running = p["state"] in (10, 20, 40)
        out[f"node_supervisord_state{labels}"] = p["state"]
        out[f"node_supervisord_exit_status{labels}"] = p["exitstatus"]
        out[f"node_supervisord_up{labels}"] = 1 if running else 0
        if running:
            out[f"node_supervisord_start_time_seconds{labels}"] = p["start"]
    return out


# --- collector -----------------------------------------------------------------------------------

def test_collector_against_fake_server(tmp_path, caplog):
    with fake_supervisord(PROCESSES) as port, caplog.at_level(logging.WARNING):
        collector = supervisord_collector(tmp_path, f"http://127.0.0.1:{port}/RPC2")
        got = samples(collector.collect())
        text = collect_text(collector)
    assert [r.getMessage() for r in caplog.records] == [DEPRECATION_WARNING]
    assert got == expected_samples(PROCESSES)
    for name, help_text, mtype in [("up", "Process Up", "gauge"), ("state", "Process State", "gauge"),
                                   ("exit_status", "Process Exit Status", "gauge"),
                                   ("start_time_seconds", "Process start time", "counter")]:
        assert f"# HELP node_supervisord_{name} {help_text}\n# TYPE node_supervisord_{name} {mtype}\n" in text
    assert 'node_supervisord_start_time_seconds{group="web",name="web"} 1.7e+09\n' in text


def test_no_processes(tmp_path):
    with fake_supervisord([]) as port:
        collector = supervisord_collector(tmp_path, f"http://127.0.0.1:{port}/RPC2")
        assert collector.collect() and collect_text(collector) == ""


def test_basic_auth_from_url(tmp_path):
    auth = "Basic " + base64.b64encode(b"admin:s3cret").decode()
    with fake_supervisord(PROCESSES[:1], auth=auth) as port:
        ok = supervisord_collector(tmp_path, f"http://admin:s3cret@127.0.0.1:{port}/RPC2")
        assert samples(ok.collect())['node_supervisord_up{group="web",name="web"}'] == 1
        denied = supervisord_collector(tmp_path, f"http://127.0.0.1:{port}/RPC2")
        with pytest.raises(ParseError, match="401"):
            list(denied.collect())


def test_unix_socket(tmp_path):
    with fake_unix_supervisord(str(tmp_path / "supervisor.sock"), PROCESSES) as path:
        got = samples(supervisord_collector(tmp_path, f"unix://{path}").collect())
    assert got == expected_samples(PROCESSES)


def test_wrong_path_is_an_error(tmp_path):
    with fake_supervisord(PROCESSES) as port:
        with pytest.raises(ParseError, match="404"):
            list(supervisord_collector(tmp_path, f"http://127.0.0.1:{port}/other").collect())


@pytest.mark.parametrize(("status", "body"), [
    (500, b"Internal Server Error"),
    (200, b"<html>hello</html>"),
    (200, b""),
    (200, xmlrpc.client.dumps(xmlrpc.client.Fault(2, "SHUTDOWN_STATE"), methodresponse=True).encode()),
    (200, xmlrpc.client.dumps(("not an array",), methodresponse=True).encode()),
    (200, xmlrpc.client.dumps(([{"state": "RUNNING"}],), methodresponse=True).encode()),
])
def test_bad_replies_fail_the_scrape(tmp_path, status, body):
    with fake_http(status, body) as port:
        with pytest.raises(ParseError):
            list(supervisord_collector(tmp_path, f"http://127.0.0.1:{port}/RPC2").collect())


def test_unreachable_is_no_data(tmp_path):
    with pytest.raises(NoDataError, match="unable to call supervisord"):
        list(supervisord_collector(tmp_path, f"http://127.0.0.1:{free_port()}/RPC2").collect())
    with pytest.raises(NoDataError):
        list(supervisord_collector(tmp_path, f"unix://{tmp_path}/absent.sock").collect())


def test_unusable_url_fails_each_scrape_not_the_start(tmp_path):
    collector = supervisord_collector(tmp_path, "ftp://localhost/RPC2")
    with pytest.raises(ParseError, match="unsupported protocol scheme"):
        list(collector.collect())


def test_silent_server_times_out():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        endpoint = parse_url(f"http://127.0.0.1:{listener.getsockname()[1]}/RPC2")
        with pytest.raises(TimeoutError):
            call(endpoint, METHOD, timeout=0.2)


def test_url_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SUPERVISORD_URL", "unix:///run/sv.sock")
    assert make_collector("supervisord", tmp_path).url == "unix:///run/sv.sock"
    # A flag given on the command line wins over the environment.
    assert supervisord_collector(tmp_path, "http://h:1/RPC2").url == "http://h:1/RPC2"
    monkeypatch.delenv("SUPERVISORD_URL")
    assert make_collector("supervisord", tmp_path).url == DEFAULT_URL


def test_disabled_by_default():
    from pyexporter.cli import parse_args
    assert "supervisord" not in parse_args([]).enabled_collectors


@pytest.mark.skipif(not NODE_EXPORTER.exists(), reason="reference node_exporter not installed")
def test_same_output_as_node_exporter():
    processes = [*PROCESSES, {"name": "partial", "state": 20}]  # group and start carried over
    with fake_supervisord(processes) as port:
        flags = ["--collector.disable-defaults", "--collector.supervisord",
                 f"--collector.supervisord.url=http://127.0.0.1:{port}/RPC2"]
        theirs = scrape_once([str(NODE_EXPORTER)], flags)
        ours = scrape_once(["python", "-m", "pyexporter"], flags)

    def lines(text: str) -> list[str]:
        return [line for line in text.splitlines() if "node_supervisord_" in line]

    assert lines(ours) == lines(theirs)
    assert 'node_supervisord_up{group="odd",name="partial"} 1' in lines(ours)
    assert 'node_scrape_collector_success{collector="supervisord"} 1' in ours


@pytest.mark.parametrize("url", ["http://bad\0host/RPC2", "http://" + "x" * 64 + ".example/RPC2"])
def test_unusable_url_values_fail_the_scrape(tmp_path, url):
    with pytest.raises(ParseError):
        list(supervisord_collector(tmp_path, url).collect())


_XMLRPC_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.text(max_size=8)
    | st.floats(allow_nan=True),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["name", "group", "state", "statename", "start", "stop", "now",
                                       "exitstatus", "pid", "other"]), inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_XMLRPC_VALUES)
def test_parse_process_info_takes_any_decoded_value(value):
    # Whatever xmlrpc.client could decode from a reply: processes, or ParseError, nothing else.
    try:
        processes = parse_process_info(value)
    except ParseError:
        return
    assert isinstance(processes, list)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=200).map(lambda t: f"<methodResponse>{t}".encode()))
def test_decode_response_takes_any_bytes(body):
    try:
        decode_response(body)
    except ParseError:
        pass
