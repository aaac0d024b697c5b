"""--web.systemd-socket: the listening sockets systemd passes (LISTEN_PID, LISTEN_FDS from fd 3,
LISTEN_FDNAMES), read as sd_listen_fds(3) and go-systemd read them; and the real process handed a
listening socket the way systemd hands it (tests/sd_listen_exec.py), scraped over HTTP and TLS."""

from __future__ import annotations

import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pyexporter.socket_activation import listen_fds
from tests.support import REPO
from tests.webconfig.support import make_pki, tls_config, write_config

EXEC = str(REPO / "tests" / "sd_listen_exec.py")


def env(**values: str) -> dict[str, str]:
    return {"PATH": "/usr/bin", **values}


@pytest.mark.parametrize(("variables", "expected"), [
    ({"LISTEN_PID": "42", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "web:metrics"}, [(3, "web"), (4, "metrics")]),
    ({"LISTEN_PID": "42", "LISTEN_FDS": "1"}, [(3, "LISTEN_FD_3")]),
    ({"LISTEN_PID": "42", "LISTEN_FDS": "3", "LISTEN_FDNAMES": ":b"}, [(3, "LISTEN_FD_3"), (4, "b"),
                                                                        (5, "LISTEN_FD_5")]),
    ({"LISTEN_PID": "41", "LISTEN_FDS": "1"}, []),             # meant for another process
    ({"LISTEN_FDS": "1"}, []),
    ({"LISTEN_PID": "42", "LISTEN_FDS": "0"}, []),
    ({"LISTEN_PID": "42", "LISTEN_FDS": "x"}, []),
    ({"LISTEN_PID": "42", "LISTEN_FDS": "-1"}, []),
    ({"LISTEN_PID": " 42", "LISTEN_FDS": "1"}, []),
    ({"LISTEN_PID": "4\u0662", "LISTEN_FDS": "1"}, []),         # an Arabic-Indic digit
    ({"LISTEN_PID": "42", "LISTEN_FDS": "9" * 40}, []),
])
def test_listen_fds(variables, expected):
    environ = env(**variables)
    assert listen_fds(environ, pid=42) == expected
    # Read once: no child process takes them for its own.
    assert environ == {"PATH": "/usr/bin"}


def listening_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    return sock


def start_activated(sock_fd: int, name: str, *flags: str, pid_of: str = "self") -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, EXEC, str(sock_fd), name, pid_of, sys.executable, "-m", "pyexporter",
         "--web.systemd-socket", "--collector.disable-defaults", "--collector.loadavg", *flags],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, pass_fds=(sock_fd,))


def scrape(url: str, ctx: ssl.SSLContext | None = None, timeout: float = 15) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5, context=ctx) as resp:
                return resp.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def stop(proc: subprocess.Popen[str]) -> str:
    if proc.poll() is None:
        proc.terminate()
        proc.wait(10)
    return proc.stderr.read()


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_the_exporter_serves_on_the_socket_systemd_passes(tmp_path: Path, tls: bool):
    flags = []
    ctx = None
    if tls:
        pki = make_pki(tmp_path / "pki")
        config = write_config(tmp_path, tls_config(pki))
        flags.append(f"--web.config.file={config}")
        ctx = pki.client_context()
    with listening_socket() as sock, listening_socket() as busy:
        port = sock.getsockname()[1]
        # --web.listen-address is not used with socket activation (as in exporter-toolkit): an
        # address already taken would otherwise stop the start.
        proc = start_activated(sock.fileno(), "pyexporter", *flags,
                               f"--web.listen-address=127.0.0.1:{busy.getsockname()[1]}")
        sock.close()  # the exporter has its own copy, as with systemd
        try:
            body = scrape(f"{'https' if tls else 'http'}://127.0.0.1:{port}/metrics", ctx)
            assert b"node_load1 " in body
            assert proc.poll() is None
        finally:
            err = stop(proc)
    assert proc.returncode == 0, err
    assert 'msg="Listening on systemd activated listeners instead of port listeners."' in err
    listening = [line for line in err.splitlines() if 'msg="Listening on"' in line]
    assert len(listening) == 1
    assert f"address=127.0.0.1:{port}" in listening[0] and "fd_name=pyexporter" in listening[0]
    assert f"tls={tls}" in listening[0]


def test_variables_for_another_process_are_not_taken():
    with listening_socket() as sock:
        proc = start_activated(sock.fileno(), "web", pid_of="other")
        assert proc.wait(15) == 2
        err = proc.stderr.read().splitlines()
    assert err == ["pyexporter: error: --web.systemd-socket: no socket activation file descriptors found "
                   "(LISTEN_PID and LISTEN_FDS are not set for this process)"]


def test_a_descriptor_that_is_not_a_listening_socket_is_refused():
    with socket.socket() as unbound:
        proc = start_activated(unbound.fileno(), "web")
        assert proc.wait(15) == 2
        err = proc.stderr.read().splitlines()
    assert len(err) == 1 and "descriptor 3 (web) is not a listening stream socket" in err[0]
