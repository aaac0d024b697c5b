"""Helpers shared by the tests: fixture trees, settings, rendering."""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from pyexporter.cli import parse_args
from pyexporter.errors import ParseError
from pyexporter.exposition import render_text
from pyexporter.gather import gather
from pyexporter.loader import load_collectors
from pyexporter.metrics import MetricFamily
from pyexporter.registry import Collector
from pyexporter.scrape import collect_until_error
from pyexporter.settings import Settings

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
#: The reference node_exporter (Debian's prometheus-node-exporter, 1.5.0) for differential tests.
NODE_EXPORTER = Path("/usr/bin/prometheus-node-exporter")
#: Marks a test that runs the reference node_exporter: skipped where it is not installed.
needs_node_exporter = pytest.mark.skipif(
    not os.access(NODE_EXPORTER, os.X_OK),
    reason=f"{NODE_EXPORTER} absent (scripts/install-test-deps installs Debian's prometheus-node-exporter)")
CONFORMANCE = SHARED / "conformance"
#: The textfile collector's own cases with node_exporter's output: the one part of the old
#: flattened copy of the suite that stays (../shared/conformance/README.md).
TEXTFILE_CASES = CONFORMANCE / "node_exporter-1.12.1" / "textfile"


@functools.cache
def conformance_fixtures() -> Path | None:
    """node_exporter's fixture tree (`collector/fixtures`: real symlinks, empty folders kept),
    unpacked from ../shared/conformance/fixtures.tar.gz by `check --unpack` once per test session
    and removed at exit; None when ../shared is not beside the checkout."""
    check = CONFORMANCE / "check"
    if not (CONFORMANCE / "fixtures.tar.gz").exists() or not check.exists():
        return None
    dest = tempfile.mkdtemp(prefix="pyexporter-suite-")
    atexit.register(shutil.rmtree, dest, ignore_errors=True)
    out = subprocess.run([sys.executable, str(check), "--unpack", dest], capture_output=True, text=True,
                         timeout=120, check=True)
    return Path(out.stdout.strip().splitlines()[-1])


def conformance_flags(fixtures: Path) -> list[str]:
    """The suite's FLAGS (relative to the folder holding collector/fixtures) made absolute for `fixtures`."""
    base = str(fixtures.parent.parent)
    flags = []
    for line in (CONFORMANCE / "FLAGS").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            flags.append(line.replace("=collector/fixtures", f"={base}/collector/fixtures"))
    return flags


def write_tree(root: Path, files: Mapping[str, str | bytes | None]) -> Path:
    """Create files below root: str/bytes content; None makes an empty directory."""
    for rel, content in files.items():
        path = root / rel
        if content is None:
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def symlink(root: Path, link: str, target: str) -> None:
    path = root / link
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)


def make_settings(root: Path, *flags: str) -> Settings:
    """Settings for a fixture tree laid out as root/proc, root/sys, root/udev/data, root (rootfs)."""
    load_collectors()  # their flags are parsed too (outside pytest no conftest has loaded them)
    return parse_args([
        f"--path.procfs={root / 'proc'}",
        f"--path.sysfs={root / 'sys'}",
        f"--path.rootfs={root}",
        f"--path.udev.data={root / 'udev' / 'data'}",
        *flags,
    ])


def make_collector(name: str, root: Path, *flags: str) -> Collector:
    settings = make_settings(root, *flags)
    return load_collectors()[name](settings)


def collect_text(collector: Collector) -> str:
    """The collector's output in text format, gathered as the server serves it."""
    # Drained before gathering, as the engine does: a family may be filled after it was yielded.
    return render_text(gather([list(collector.collect())])).decode()


def collect_failing(collector: Collector) -> tuple[list[MetricFamily], Exception]:
    """What the scrape engine serves of a collector that fails: the families it yielded before the
    failure (with success 0), and the exception."""
    families, error = collect_until_error(collector)
    assert error is not None, f"collector {collector.name} did not fail"
    return families, error


def samples(families: Iterable[MetricFamily]) -> dict[str, float]:
    """{'name{a="b"}': value} for quick assertions."""
    out = {}
    for fam in gather([list(families)]):
        for name, labels, value in fam.samples:
            key = name + ("{" + ",".join(f'{k}="{v}"' for k, v in labels) + "}" if labels else "")
            out[key] = value
    return out


def parser_tests(parse: Callable[[Any], Any], accepts: Iterable[tuple[Any, Any]],
                 rejects: Iterable[Any]) -> tuple[Callable[..., None], Callable[..., None]]:
    """The two tables of cases of a parser, as tests for the test module to bind under its own names
    (`test_parse_x, test_parse_x_rejects = parser_tests(parse_x, [...], [...])`): each input of
    `accepts` parses to its value, each input of `rejects` raises ParseError."""
    @pytest.mark.parametrize(("data", "expected"), list(accepts))
    def test_accepts(data: Any, expected: Any) -> None:
        assert parse(data) == expected

    @pytest.mark.parametrize("data", list(rejects))
    def test_rejects(data: Any) -> None:
        with pytest.raises(ParseError):
            parse(data)

    return test_accepts, test_rejects


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds; always reaps the child."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=grace)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


def start_pyexporter(port: int, *flags: str, stdout: int = subprocess.DEVNULL,
                     **popen: Any) -> subprocess.Popen[str]:
    """pyexporter on 127.0.0.1:`port` with the loadavg collector alone (cheap, on every Linux) and `flags`,
    its stderr a text pipe; `popen` goes to subprocess.Popen. Stop it with stop_process."""
    return subprocess.Popen([sys.executable, "-m", "pyexporter", f"--web.listen-address=127.0.0.1:{port}",
                             "--collector.disable-defaults", "--collector.loadavg", *flags],
                            cwd=REPO, stdout=stdout, stderr=subprocess.PIPE, text=True, **popen)


def stderr_lines_until(proc: subprocess.Popen[str], needle: str, timeout: float = 15) -> list[str]:
    """The lines of the process's stderr read until one holds `needle` (an AssertionError when none
    has within `timeout` seconds, or the stream ends first)."""
    assert proc.stderr is not None
    stream = proc.stderr
    lines: list[str] = []
    done = threading.Event()

    def read() -> None:
        # A thread, as a text stream may hold lines it read ahead that no selector would announce.
        for line in stream:
            lines.append(line)
            if needle in line:
                break
        done.set()

    threading.Thread(target=read, daemon=True).start()
    done.wait(timeout)
    if not done.is_set() or not lines or needle not in lines[-1]:
        raise AssertionError(f"no {needle!r} in the exporter's log within {timeout}s: {lines}")
    return lines


def wait_until_serving(proc: subprocess.Popen[str], url: str, timeout: float = 15) -> bytes:
    """The first body `url` answers with, asked until it does; fails when the process ends first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return resp.read()
        except OSError:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else proc.returncode
            assert time.monotonic() < deadline, f"{url} did not answer within {timeout}s"
            time.sleep(0.1)


def scrape_once(argv: Sequence[str], flags: Sequence[str] = (), timeout: float = 30.0) -> str:
    """Start an exporter (`argv` plus a free loopback listen address and `flags`), return its first
    /metrics body, stop it."""
    port = free_port()
    proc = subprocess.Popen([*argv, f"--web.listen-address=127.0.0.1:{port}", *flags], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"{argv[0]} exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
                    return resp.read().decode()
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        stop_process(proc, grace=10)


def scrape_both(flags: Sequence[str]) -> dict[str, str]:
    """The first /metrics body of the reference node_exporter and of pyexporter, started with the
    same `flags`: {"node_exporter": ..., "pyexporter": ...}."""
    return {"node_exporter": scrape_once([str(NODE_EXPORTER)], flags),
            "pyexporter": scrape_once([sys.executable, "-m", "pyexporter"], flags)}


def failing_in_both(collector: str, sysfs: Path) -> dict[str, str]:
    """scrape_both with only `collector` enabled on the sysfs tree `sysfs`, each body checked to report
    the collector failed (success 0)."""
    bodies = scrape_both([f"--path.sysfs={sysfs}", "--collector.disable-defaults",
                          f"--collector.{collector}"])
    for exporter, body in bodies.items():
        assert f'node_scrape_collector_success{{collector="{collector}"}} 0' in body, exporter
    return bodies


def set_up_namespace(commands: Iterable[str]) -> None:
    """Run the commands that build a private network namespace's links, addresses and routes, in the
    namespace this process is in; exit with status 77 (for `compare_in_new_namespace`) when one fails."""
    for command in commands:
        result = subprocess.run(command.split(), capture_output=True, text=True)
        if result.returncode != 0:
            sys.stderr.write(f"{command}: {result.stderr}")
            raise SystemExit(77)


def print_reports(collectors: Sequence[str], flags: Sequence[str] = ()) -> None:
    """Print what node_exporter (`collectors` alone enabled, with `flags`) and pyexporter's `collectors`
    report here, as the JSON object compare_in_new_namespace returns."""
    theirs = scrape_once([str(NODE_EXPORTER)], ["--collector.disable-defaults",
                                                *(f"--collector.{name}" for name in collectors), *flags])
    ours = "".join(collect_text(make_collector(name, Path("/nonexistent"), *flags)) for name in collectors)
    json.dump({"node_exporter": theirs, "pyexporter": ours}, sys.stdout)


def compare_in_new_namespace(module: str) -> dict[str, str]:
    """Run `python -m module` in a new network namespace (`unshare --net`) and return the JSON object it
    prints (what node_exporter and pyexporter report there). Skips the test where that cannot run: not
    root, no unshare, ip or node_exporter, or a namespace the machine cannot build (exit status 77)."""
    if os.geteuid() != 0:
        pytest.skip("needs root for unshare --net")
    if not (shutil.which("unshare") and shutil.which("ip") and NODE_EXPORTER.exists()):
        pytest.skip("unshare, ip or node_exporter missing")
    proc = subprocess.run(["unshare", "--net", sys.executable, "-m", module],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    if proc.returncode == 77 or "unshare failed" in proc.stderr:
        pytest.skip(f"cannot set up the namespace: {proc.stderr[-200:]}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


#: prometheus/procfs's own test tree (testdata/fixtures.ttar unpacked and packed again), with the
#: values procfs's *_test.go files expect of it.
PROCFS_FIXTURES_ARCHIVE = SHARED / "procfs" / "fixtures.tar.gz"


def unpack_procfs_fixtures(destination: Path) -> Path:
    """Unpack procfs's test tree below `destination`; the tree's root (holding proc/ and sys/)."""
    import tarfile

    with tarfile.open(PROCFS_FIXTURES_ARCHIVE) as archive:
        # A trusted archive: its absolute links (proc/<pid>/root -> /) are part of the tree.
        if hasattr(tarfile, "fully_trusted_filter"):
            archive.extractall(destination, filter="fully_trusted")
        else:  # Python releases before the extraction filters
            archive.extractall(destination)
    return destination / "fixtures"
