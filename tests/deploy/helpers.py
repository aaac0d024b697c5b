"""Process and HTTP helpers for the deployment tests (real servers on 127.0.0.1 only)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import yaml

from tests.support import REPO, free_port, stop_process

__all__ = ["free_port", "http_get", "need_tool", "running_prometheus", "start_exporter", "stop_process",
           "wait_for"]

T = TypeVar("T")


def need_tool(name: str, hint: str) -> str:
    """The tool's path; a missing tool is a broken test setup, so this fails rather than skips."""
    path = shutil.which(name)
    if path is None:
        raise AssertionError(f"{name} is not installed: {hint}")
    return path


def http_get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_for(probe: Callable[[], T | None], timeout: float, what: str, interval: float = 0.25) -> T:
    """Call probe until it returns something other than None (connection errors count as None)."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = probe()
        except (OSError, urllib.error.URLError) as exc:
            last_error, result = exc, None
        if result is not None:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last error: {last_error})")


@contextlib.contextmanager
def running_prometheus(binary: str, config: dict[str, Any], work: Path) -> Iterator[str]:
    """A real Prometheus with `config` on a free 127.0.0.1 port, its data and log under `work`;
    yields its base URL once it is ready, stops it afterwards."""
    (work / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    log = work / "prometheus.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [binary, f"--config.file={work / 'prometheus.yml'}", f"--storage.tsdb.path={work / 'data'}",
             f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=1h"],
            cwd=work, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        def ready() -> bool | None:
            assert proc.poll() is None, f"prometheus exited:\n{log.read_text()[-3000:]}"
            return True if http_get(f"{base}/-/ready")[0] == 200 else None

        wait_for(ready, 60, f"prometheus on {base}")
        yield base
    finally:
        stop_process(proc, grace=10)


def start_exporter(argv: list[str], log: Path, flags: list[str] = ()) -> tuple[subprocess.Popen[bytes], str]:
    """An exporter (pyexporter or node_exporter: the same flags) on a free 127.0.0.1 port, its output in
    `log`; returns the process and its address once `/` answers. Stop it with stop_process."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen([*argv, f"--web.listen-address=127.0.0.1:{port}", *flags], cwd=REPO,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    address = f"127.0.0.1:{port}"

    def ready() -> bool | None:
        assert proc.poll() is None, f"{argv[0]} exited:\n{log.read_text()[-3000:]}"
        return True if http_get(f"http://{address}/")[0] == 200 else None

    try:
        wait_for(ready, 60, f"{argv[0]} on {address}")
    except BaseException:
        stop_process(proc)
        raise
    return proc, address
