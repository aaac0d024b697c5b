"""Process and HTTP helpers for the deployment tests (real servers on 127.0.0.1 only)."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import yaml

from pyexporter.collectors.filesystem import DEFAULT_FS_TYPES_EXCLUDE, DEFAULT_MOUNT_POINTS_EXCLUDE
from tests.support import NODE_EXPORTER, REPO, free_port, stop_process

__all__ = ["both_exporters", "free_port", "http_get", "need_tool", "prometheus_api", "prometheus_rules",
           "prometheus_scraped", "running_prometheus", "start_exporter", "stop_process", "wait_for"]

PROMETHEUS_HINT = "scripts/install-test-deps installs the Debian package prometheus"
#: Debian's node_exporter 1.5.0 excludes more mount points by default (/run, /mnt, /media): both_exporters
#: gives both 1.12.1's defaults, so that a filesystem there counts for both or for neither.
SAME_FLAGS = [f"--collector.filesystem.mount-points-exclude={DEFAULT_MOUNT_POINTS_EXCLUDE}",
              f"--collector.filesystem.fs-types-exclude={DEFAULT_FS_TYPES_EXCLUDE}"]

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


@contextlib.contextmanager
def both_exporters(work: Path) -> Iterator[dict[str, str]]:
    """pyexporter and the reference node_exporter running on this machine with SAME_FLAGS, their logs in
    `work`: yields {"pyexporter": address, "node_exporter": address}, stops both afterwards."""
    procs = []
    try:
        py, py_address = start_exporter([sys.executable, "-m", "pyexporter"], work / "pyexporter.log",
                                        SAME_FLAGS)
        procs.append(py)
        ne, ne_address = start_exporter([str(NODE_EXPORTER)], work / "node_exporter.log", SAME_FLAGS)
        procs.append(ne)
        yield {"pyexporter": py_address, "node_exporter": ne_address}
    finally:
        for proc in procs:
            stop_process(proc)


def prometheus_api(base: str, path: str = "/api/v1/query", **params: str) -> Any:
    """The `data` of a successful answer of Prometheus's HTTP API at `base` (asserts success)."""
    status, body = http_get(f"{base}{path}" + (f"?{urlencode(params)}" if params else ""))
    reply = json.loads(body)
    assert status == 200 and reply["status"] == "success", (path, params, reply)
    return reply["data"]


def prometheus_rules(base: str) -> list[dict[str, Any]]:
    """Every rule of every group the Prometheus at `base` evaluates, with its health."""
    return [rule for group in prometheus_api(base, "/api/v1/rules")["groups"] for rule in group["rules"]]


@contextlib.contextmanager
def prometheus_scraped(config: dict[str, Any], work: Path, targets: int, scrapes: int) -> Iterator[str]:
    """running_prometheus (Debian's prometheus), yielding its base URL once it has scraped each of its
    `targets` targets `scrapes` times."""
    with running_prometheus(need_tool("prometheus", PROMETHEUS_HINT), config, work) as base:
        def settled() -> bool | None:
            counts = [float(r["value"][1])
                      for r in prometheus_api(base, query="count_over_time(up[1m])")["result"]]
            return True if len(counts) == targets and min(counts) >= scrapes else None

        wait_for(settled, 60, f"{scrapes} scrapes of each of {targets} targets")
        yield base
