"""The exporter as a subprocess on a free loopback port: start, wait until it listens, stop.

Shared by the load run (`benchmarks/load.py`) and the robustness tests
(`tests/robustness/exporter.py`, which add scraping and checks on top).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ExporterProcess:
    """`python -m <module> --web.listen-address=127.0.0.1:<free port> ARGS`, its output kept in a file."""

    def __init__(self, args: Sequence[str], log_path: Path, *, module: str = "pyexporter",
                 env: Mapping[str, str] | None = None) -> None:
        self.port = free_port()
        self.args = [sys.executable, "-m", module, f"--web.listen-address=127.0.0.1:{self.port}", *args]
        self.log_path = log_path
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> ExporterProcess:
        """Start it and return once it accepts connections; raises with the log's tail if it does not."""
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(self.args, cwd=REPO, env=self.env, stdout=log, stderr=log,
                                         stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"exporter exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"exporter did not listen within {timeout}s: {self.log_tail()}")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, size: int = 3000) -> str:
        return self.log()[-size:]

    def __enter__(self) -> ExporterProcess:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
