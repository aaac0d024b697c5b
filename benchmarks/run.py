"""pyexporter and node_exporter side by side: latency, CPU and memory per scrape.

    python -m benchmarks.run                       # the full run (several minutes)
    python -m benchmarks.run --sizes 1 --scrapes 5 --small --soak 0 --rounds 1   # smoke run

Both exporters run on the same tree with the same collectors, on 127.0.0.1,
and are scraped alternately (ABBA order), so load from other processes on the
machine falls on both alike. Scrapes look like Prometheus's: its Accept
header, gzip, and a 10 s scrape timeout header. CPU comes from
/proc/PID/stat (utime+stime of the whole process, every thread), memory from
/proc/PID/status (VmRSS now, VmHWM the peak).

Phases:
  sizes     a synthetic big-node tree at each size factor (1 = the default sizes)
  soak      RSS after --soak scrapes of the 1x tree (continues the 1x processes)
  single    CPU of --concurrency simultaneous scrapes vs two sequential ones (1x tree)
  live      the machine's own /proc and /sys with the default collectors both have
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.client
import json
import math
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from benchmarks.tree import TreeSize, generate

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NODE_EXPORTER = "/usr/bin/prometheus-node-exporter"
#: What Prometheus 2.x sends when it scrapes.
PROMETHEUS_HEADERS = {
    "Accept": "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
              "text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
    "Accept-Encoding": "gzip",
    "User-Agent": "Prometheus/2.53.0",
    "X-Prometheus-Scrape-Timeout-Seconds": "10",
}
SMALL = TreeSize(cpus=4, interfaces=8, disks=2, mounts=10, processes=20)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
#: Collectors that read the machine's mounts with statfs; meaningless on a synthetic tree.
SYNTHETIC_OFF = frozenset({"filesystem"})
#: Off by default in both, but the synthetic tree carries /proc/<pid>/stat for it.
SYNTHETIC_EXTRA = frozenset({"processes"})
#: On a synthetic root, read the files: netlink would report the machine's own interfaces.
#: Each exporter gets the ones it knows (node_exporter 1.5.0 has no arp.netlink, and reads the file).
SYNTHETIC_FLAGS = ("--no-collector.netdev.netlink", "--no-collector.arp.netlink")
MIB = 1024 * 1024
#: How long an exporter may take to answer after it was started.
READY_TIMEOUT = 60.0


# --- process accounting -------------------------------------------------------------------------

def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds."""
    with open(f"/proc/{pid}/stat", "rb") as fh:
        data = fh.read()
    fields = data[data.rindex(b")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def memory_bytes(pid: int) -> dict[str, int]:
    """VmRSS (resident now), VmHWM (peak resident) and RssAnon (the anonymous part) of a process, in bytes."""
    values = {}
    with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
        for line in fh:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon"):
                values[key] = int(rest.split()[0]) * 1024
    return values


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- exporters ----------------------------------------------------------------------------------

@dataclass
class ScrapeResult:
    latency: float
    wire_bytes: int
    body_bytes: int
    series: int
    content_type: str
    body: bytes = field(repr=False, default=b"")


class Exporter:
    """One exporter process on 127.0.0.1 and a keep-alive connection to it, as Prometheus keeps one."""

    def __init__(self, name: str, argv: list[str], port: int, workdir: str,
                 env: dict[str, str] | None = None) -> None:
        self.name = name
        self.port = port
        self.argv = argv
        self.log_path = os.path.join(workdir, f"{name}-{port}.log")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv, stdout=self._log, stderr=subprocess.STDOUT, env=env, cwd=REPO)
        self._conn: http.client.HTTPConnection | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}:\n"
                                   + self.log_tail())
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer on port {self.port}; see {self.log_path}")

    def log_tail(self, lines: int = 20) -> str:
        with open(self.log_path, "rb") as fh:
            return b"\n".join(fh.read().splitlines()[-lines:]).decode("utf-8", "replace")

    def scrape(self, keep_body: bool = False) -> ScrapeResult:
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            start = time.perf_counter()
            try:
                self._conn.request("GET", "/metrics", headers=PROMETHEUS_HEADERS)
                response = self._conn.getresponse()
                wire = response.read()
            except (OSError, http.client.HTTPException):
                # A server may close an idle keep-alive connection; reconnect once.
                self._conn.close()
                self._conn = None
                if attempt == 2:
                    raise
                continue
            latency = time.perf_counter() - start
            if response.status != 200:
                raise RuntimeError(f"{self.name}: HTTP {response.status}: {wire[:200]!r}")
            return _result(response, wire, latency, keep_body)
        raise AssertionError("unreachable")

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def memory(self) -> dict[str, float]:
        """rss_mib, peak_rss_mib and rss_anon_mib (the part not backed by files: heap, stacks)."""
        values = memory_bytes(self.pid)
        return {"rss_mib": values.get("VmRSS", 0) / MIB, "peak_rss_mib": values.get("VmHWM", 0) / MIB,
                "rss_anon_mib": values.get("RssAnon", 0) / MIB}

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def _result(response: http.client.HTTPResponse, wire: bytes, latency: float, keep_body: bool) -> ScrapeResult:
    body = gzip.decompress(wire) if response.getheader("Content-Encoding") == "gzip" else wire
    series = sum(1 for line in body.split(b"\n") if line and not line.startswith(b"#"))
    return ScrapeResult(latency, len(wire), len(body), series,
                        (response.getheader("Content-Type") or "").split(";")[0], body if keep_body else b"")


def one_shot_scrape(port: int) -> float:
    """A scrape on its own connection (as separate Prometheus servers scrape); returns its latency."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        start = time.perf_counter()
        conn.request("GET", "/metrics", headers=PROMETHEUS_HEADERS)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        return time.perf_counter() - start
    finally:
        conn.close()


# --- collector sets -----------------------------------------------------------------------------

def pyexporter_collectors() -> tuple[dict[str, bool], set[str]]:
    """Every pyexporter collector with whether it is on by default, and every flag name."""
    sys.path.insert(0, REPO)
    from pyexporter.loader import load_collectors
    from pyexporter.registry import all_flags

    collectors = {name: cls.default_enabled for name, cls in load_collectors().items()}
    return collectors, {flag.name for flag in all_flags()}


def node_exporter_collectors(binary: str) -> tuple[dict[str, bool], set[str]]:
    """Every collector of the installed node_exporter with its default, and every flag name, from --help."""
    out = subprocess.run([binary, "--help"], capture_output=True, text=True, check=False)
    text = out.stdout + out.stderr
    found = re.findall(
        r"--collector\.([a-z0-9_]+)\s+Enable the \1 collector \(default:\s*(enabled|disabled)\)", text)
    flags = set(re.findall(r"--(?:\[no-\])?([a-z0-9][a-z0-9_.-]*)", text))
    return {name: state == "enabled" for name, state in found}, flags


def accepted(flags: Sequence[str], known: set[str]) -> list[str]:
    """The `--[no-]name` flags whose name an exporter knows."""
    return [f for f in flags if f.lstrip("-").removeprefix("no-").split("=")[0] in known]


@dataclass(frozen=True)
class Comparison:
    """What two exporters are compared with: the collectors both have, and each one's flags."""

    #: Default-enabled in both exporters.
    both_default: list[str]
    #: What runs on a synthetic tree: both_default without SYNTHETIC_OFF, with SYNTHETIC_EXTRA.
    synthetic: list[str]
    #: Per exporter name, the SYNTHETIC_FLAGS it knows.
    synthetic_flags: dict[str, list[str]]
    #: Default-enabled in pyexporter only, and in node_exporter only.
    pyexporter_only_defaults: list[str]
    node_exporter_only_defaults: list[str]


def comparison(node_exporter: str | None) -> Comparison:
    """The collectors and flags pyexporter and `node_exporter` (None: pyexporter alone) run with."""
    py_all, py_flags = pyexporter_collectors()
    ne_all, ne_flags = node_exporter_collectors(node_exporter) if node_exporter else (dict(py_all), set())
    both_default = sorted(n for n, on in py_all.items() if on and ne_all.get(n))
    return Comparison(
        both_default=both_default,
        synthetic=sorted((set(both_default) - SYNTHETIC_OFF) | (SYNTHETIC_EXTRA & set(py_all) & set(ne_all))),
        synthetic_flags={"pyexporter": accepted(SYNTHETIC_FLAGS, py_flags),
                         "node_exporter": accepted(SYNTHETIC_FLAGS, ne_flags)},
        pyexporter_only_defaults=sorted(n for n, on in py_all.items() if on and n not in ne_all),
        node_exporter_only_defaults=sorted(n for n, on in ne_all.items() if on and n not in py_all),
    )


def node_exporter_version(binary: str) -> str:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
    first = (out.stdout + out.stderr).strip().splitlines()
    return first[0] if first else "unknown"


@dataclass
class Roots:
    procfs: str = "/proc"
    sysfs: str = "/sys"
    rootfs: str = "/"
    udev: str = "/run/udev/data"

    @classmethod
    def of_tree(cls, tree: str) -> Roots:
        return cls(f"{tree}/proc", f"{tree}/sys", f"{tree}/root", f"{tree}/udev")

    def flags(self) -> list[str]:
        return [f"--path.procfs={self.procfs}", f"--path.sysfs={self.sysfs}", f"--path.rootfs={self.rootfs}",
                f"--path.udev.data={self.udev}"]


def start_pair(collectors: Sequence[str], roots: Roots, workdir: str, node_exporter: str | None,
               extra: dict[str, list[str]]) -> list[Exporter]:
    """pyexporter and (when installed) node_exporter with exactly `collectors`, on free ports."""
    enable = ["--collector.disable-defaults", *(f"--collector.{c}" for c in collectors)]
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    exporters = []
    port = free_port()
    exporters.append(Exporter("pyexporter", [sys.executable, "-m", "pyexporter",
                                             f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
                                             *roots.flags(), *enable, *extra.get("pyexporter", [])],
                              port, workdir, env))
    if node_exporter:
        port = free_port()
        exporters.append(Exporter("node_exporter", [node_exporter, f"--web.listen-address=127.0.0.1:{port}",
                                                    "--log.level=warn", *roots.flags(), *enable,
                                                    *extra.get("node_exporter", [])],
                                  port, workdir))
    try:
        for exporter in exporters:
            exporter.wait_ready()
    except BaseException:
        for exporter in exporters:
            exporter.stop()
        raise
    return exporters


# --- measurements -------------------------------------------------------------------------------

def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def abba(exporters: Sequence[Exporter], index: int) -> Sequence[Exporter]:
    return exporters if index % 2 == 0 else list(reversed(exporters))


def collector_success(body: bytes) -> dict[str, bool]:
    found = re.findall(rb'^node_scrape_collector_success\{collector="([^"]+)"\} ([0-9.e+]+)$', body, re.M)
    return {name.decode(): float(value) == 1.0 for name, value in found}


def measure(exporters: Sequence[Exporter], scrapes: int, warmup: int) -> dict[str, Any]:
    """Warm up, then scrape `scrapes` times each, alternately; per exporter figures."""
    bodies: dict[str, bytes] = {}
    for i in range(warmup):
        for exporter in abba(exporters, i):
            bodies[exporter.name] = exporter.scrape(keep_body=True).body
    latencies: dict[str, list[float]] = {e.name: [] for e in exporters}
    last: dict[str, ScrapeResult] = {}
    cpu_start = {e.name: e.cpu() for e in exporters}
    wall_start = time.perf_counter()
    for i in range(scrapes):
        for exporter in abba(exporters, i):
            result = exporter.scrape()
            latencies[exporter.name].append(result.latency)
            last[exporter.name] = result
    wall = time.perf_counter() - wall_start
    # A moment for work that trails the last response (Go's GC, Python's cleanup) to be counted.
    time.sleep(0.2)
    out: dict[str, Any] = {}
    for exporter in exporters:
        cpu = exporter.cpu() - cpu_start[exporter.name]
        lat = latencies[exporter.name]
        result = last[exporter.name]
        out[exporter.name] = {
            "scrapes": scrapes,
            "latency_median_ms": statistics.median(lat) * 1000 if lat else None,
            "latency_p95_ms": percentile(lat, 0.95) * 1000 if lat else None,
            "cpu_ms_per_scrape": cpu / scrapes * 1000 if scrapes else None,
            **exporter.memory(),
            "response_wire_bytes": result.wire_bytes if scrapes else None,
            "response_body_bytes": result.body_bytes if scrapes else None,
            "series": result.series if scrapes else None,
            "content_type": result.content_type if scrapes else None,
            "collectors_ok": sorted(c for c, ok in collector_success(bodies.get(exporter.name, b"")).items()
                                    if ok),
        }
    out["_wall_seconds"] = wall
    return out


def soak(exporters: Sequence[Exporter], total: int, done: int) -> dict[str, Any]:
    """Scrape until each exporter has answered `total` scrapes (counting `done` already); memory then."""
    start = time.perf_counter()
    for i in range(done, total):
        for exporter in abba(exporters, i):
            exporter.scrape()
    out: dict[str, Any] = {"scrapes": total, "wall_seconds": time.perf_counter() - start}
    for exporter in exporters:
        out[exporter.name] = exporter.memory()
    return out


def concurrent_cpu(exporter: Exporter, concurrency: int, rounds: int) -> dict[str, Any]:
    """CPU of `concurrency` simultaneous scrapes vs two sequential ones, averaged over `rounds`."""
    sequential: list[float] = []
    concurrent: list[float] = []
    concurrent_latency: list[float] = []
    for _ in range(rounds):
        time.sleep(0.2)
        before = exporter.cpu()
        for _ in range(2):
            one_shot_scrape(exporter.port)
        time.sleep(0.2)
        sequential.append(exporter.cpu() - before)

        barrier = threading.Barrier(concurrency)
        errors: list[BaseException] = []

        def worker(barrier: threading.Barrier = barrier, errors: list[BaseException] = errors) -> None:
            try:
                barrier.wait()
                concurrent_latency.append(one_shot_scrape(exporter.port))
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(concurrency)]
        before = exporter.cpu()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        time.sleep(0.2)
        concurrent.append(exporter.cpu() - before)
        if errors:
            raise RuntimeError(f"{exporter.name}: concurrent scrape failed: {errors[0]!r}")
    seq = statistics.mean(sequential) * 1000
    conc = statistics.mean(concurrent) * 1000
    return {"rounds": rounds, "concurrency": concurrency, "cpu_ms_two_sequential": seq,
            f"cpu_ms_{concurrency}_concurrent": conc,
            "concurrent_over_sequential": conc / seq if seq else None,
            "concurrent_latency_median_ms": statistics.median(concurrent_latency) * 1000}


# --- report -------------------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    model = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/loadavg", encoding="ascii") as fh:
        load = fh.read().split()[:3]
    return {"cpu_model": model, "cores": os.cpu_count(), "python": platform.python_version(),
            "kernel": platform.release(), "loadavg_at_start": load}


def ratio(py: float | None, ne: float | None) -> float | None:
    return py / ne if py is not None and ne else None


def add_ratios(figures: dict[str, Any]) -> None:
    py, ne = figures.get("pyexporter"), figures.get("node_exporter")
    if not py or not ne:
        return
    figures["ratios"] = {key: ratio(py[key], ne[key]) for key in
                         ("latency_median_ms", "latency_p95_ms", "cpu_ms_per_scrape", "rss_mib",
                          "peak_rss_mib", "response_body_bytes")}


def fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def print_table(results: dict[str, Any]) -> None:
    rows = [("run", "exporter", "median ms", "p95 ms", "CPU ms/scrape", "RSS MiB", "peak MiB", "body KiB",
             "wire KiB", "series")]

    def add(label: str, figures: dict[str, Any]) -> None:
        for name in ("pyexporter", "node_exporter"):
            f = figures.get(name)
            if not f:
                continue
            rows.append((label, name, fmt(f["latency_median_ms"]), fmt(f["latency_p95_ms"]),
                         fmt(f["cpu_ms_per_scrape"]), fmt(f["rss_mib"]), fmt(f["peak_rss_mib"]),
                         fmt(f["response_body_bytes"] / 1024 if f["response_body_bytes"] else None),
                         fmt(f["response_wire_bytes"] / 1024 if f["response_wire_bytes"] else None),
                         fmt(f["series"])))
        r = figures.get("ratios")
        if r:
            rows.append((label, "py/ne", fmt(r["latency_median_ms"], 2), fmt(r["latency_p95_ms"], 2),
                         fmt(r["cpu_ms_per_scrape"], 2), fmt(r["rss_mib"], 2), fmt(r["peak_rss_mib"], 2),
                         fmt(r["response_body_bytes"], 2), "", ""))

    for key, figures in results["sizes"].items():
        add(f"tree {key}", figures)
    if results.get("live"):
        add("live", results["live"])
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(str(cell).rjust(width) for cell, width in zip(row, widths, strict=True)))
    if results.get("soak"):
        s = results["soak"]
        for name in ("pyexporter", "node_exporter"):
            if name in s:
                print(f"after {s['scrapes']} scrapes of the 1x tree: {name} "
                      f"RSS {s[name]['rss_mib']:.1f} MiB, "
                      f"peak {s[name]['peak_rss_mib']:.1f} MiB")
    for name, c in results.get("single_flight", {}).items():
        n = c["concurrency"]
        print(f"{name}: {n} concurrent scrapes {c[f'cpu_ms_{n}_concurrent']:.0f} ms CPU vs two sequential "
              f"{c['cpu_ms_two_sequential']:.0f} ms ({c['concurrent_over_sequential']:.2f}x)")
    for scaling in results.get("scaling", []):
        print(f"{scaling['exporter']}: CPU per scrape at {scaling['factor']}x / 1x = {scaling['ratio']:.2f}")
    for check in results.get("targets", []):
        print(f"[{'met' if check['met'] else 'NOT MET'}] {check['target']}: {check['value']}")


def evaluate(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's done-when targets, judged from this run's figures."""
    checks = []

    def check(target: str, value: float | None, limit: float, text: str) -> None:
        if value is not None:
            checks.append({"target": target, "value": text, "met": value <= limit})

    one = results["sizes"].get("1x", {})
    r = one.get("ratios")
    if r and not results["options"]["small"]:
        check("big tree median latency <= 1.5x node_exporter", r["latency_median_ms"], 1.5,
              f"{r['latency_median_ms']:.2f}x")
        check("big tree CPU per scrape <= 2x node_exporter", r["cpu_ms_per_scrape"], 2.0,
              f"{r['cpu_ms_per_scrape']:.2f}x")
    live = results.get("live", {}).get("ratios")
    if live:
        check("live machine median latency <= 1.5x node_exporter", live["latency_median_ms"], 1.5,
              f"{live['latency_median_ms']:.2f}x")
    soaked = results.get("soak", {}).get("pyexporter")
    if soaked and not results["options"]["small"]:
        check(f"RSS <= 48 MiB after {results['soak']['scrapes']} scrapes", soaked["rss_mib"], 48.0,
              f"{soaked['rss_mib']:.1f} MiB")
    for scaling in results.get("scaling", []):
        if scaling["exporter"] == "pyexporter" and scaling["factor"] == 16:
            check("16x tree CPU per scrape <= 18x the 1x tree", scaling["ratio"], 18.0,
                  f"{scaling['ratio']:.2f}x")
    single = results.get("single_flight", {}).get("pyexporter")
    if single:
        n = single["concurrency"]
        conc, seq = single[f"cpu_ms_{n}_concurrent"], single["cpu_ms_two_sequential"]
        checks.append({"target": f"{n} concurrent scrapes cost less CPU than 2 sequential",
                       "value": f"{conc:.0f} ms vs {seq:.0f} ms", "met": conc < seq})
    return checks


# --- main ---------------------------------------------------------------------------------------

@contextlib.contextmanager
def running(exporters: list[Exporter]) -> Iterator[list[Exporter]]:
    try:
        yield exporters
    finally:
        for exporter in exporters:
            exporter.stop()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    defaults = TreeSize()
    for name, value in asdict(defaults).items():
        parser.add_argument(f"--{name}", type=int, default=None,
                            help=f"size of the 1x tree (default {value})")
    parser.add_argument("--small", action="store_true", help=f"a tiny 1x tree for smoke runs ({SMALL})")
    parser.add_argument("--sizes", default="1,4,16",
                        help="size factors of the synthetic tree (default 1,4,16)")
    parser.add_argument("--scrapes", type=int, default=40, help="measured scrapes per exporter at 1x")
    parser.add_argument("--scaled-scrapes", type=int, default=12,
                        help="measured scrapes per exporter at the larger factors")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured scrapes per exporter first")
    parser.add_argument("--soak", type=int, default=1000,
                        help="RSS after this many scrapes of the 1x tree (0: skip)")
    parser.add_argument("--concurrency", type=int, default=10,
                        help="simultaneous scrapes in the single-flight check (0: skip)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the single-flight check")
    parser.add_argument("--live", action=argparse.BooleanOptionalAction, default=True,
                        help="also run on this machine's /proc and /sys")
    parser.add_argument("--node-exporter", default=NODE_EXPORTER,
                        help="reference binary; skipped when absent ('' to skip)")
    parser.add_argument("--workdir", default=None, help="where trees and logs go (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--json", default=os.path.join(REPO, "benchmarks", "out", "results.json"),
                        help="write the results here (default benchmarks/out/results.json, ignored by git)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    base = SMALL if args.small else TreeSize()
    base = TreeSize(*(getattr(args, n) if getattr(args, n) is not None else v
                      for n, v in asdict(base).items()))
    factors = [int(f) for f in args.sizes.split(",") if f.strip()]
    node_exporter = (args.node_exporter if args.node_exporter and os.access(args.node_exporter, os.X_OK)
                     else None)

    compared = comparison(node_exporter)
    synthetic, synthetic_flags = compared.synthetic, compared.synthetic_flags
    both_default = compared.both_default

    workdir = args.workdir or tempfile.mkdtemp(prefix="pyexporter-bench-")
    os.makedirs(workdir, exist_ok=True)
    results: dict[str, Any] = {
        "machine": machine(),
        "node_exporter": node_exporter_version(node_exporter) if node_exporter else None,
        "options": {"base_size": asdict(base), "factors": factors, "scrapes": args.scrapes,
                    "scaled_scrapes": args.scaled_scrapes, "warmup": args.warmup, "small": args.small},
        "collectors": {"synthetic": synthetic, "live": both_default, "synthetic_flags": synthetic_flags,
                       "pyexporter_only_defaults": compared.pyexporter_only_defaults,
                       "node_exporter_defaults_missing_in_pyexporter": compared.node_exporter_only_defaults},
        "sizes": {},
    }
    print(f"collectors compared on the synthetic tree: {','.join(synthetic)}", flush=True)
    try:
        for factor in factors:
            size = base.scaled(factor)
            tree = os.path.join(workdir, f"tree-{factor}x")
            started = time.perf_counter()
            files = generate(tree, size)
            print(f"{factor}x tree: {files} files ({size}) in {time.perf_counter() - started:.1f}s",
                  flush=True)
            pair = start_pair(synthetic, Roots.of_tree(tree), workdir, node_exporter, synthetic_flags)
            with running(pair):
                scrapes = args.scrapes if factor == 1 else args.scaled_scrapes
                figures = measure(pair, scrapes, args.warmup)
                figures["files"] = files
                figures["size"] = asdict(size)
                add_ratios(figures)
                results["sizes"][f"{factor}x"] = figures
                print(f"  measured in {figures['_wall_seconds']:.1f}s", flush=True)
                if factor == factors[0]:
                    if args.soak > 0:
                        results["soak"] = soak(pair, args.soak, args.warmup + scrapes)
                        print(f"  soak of {args.soak} scrapes in {results['soak']['wall_seconds']:.0f}s",
                              flush=True)
                    if args.concurrency > 0 and args.rounds > 0:
                        results["single_flight"] = {
                            e.name: concurrent_cpu(e, args.concurrency, args.rounds) for e in pair}
            if not args.keep:
                shutil.rmtree(tree, ignore_errors=True)
        first = f"{factors[0]}x"
        for factor in factors[1:]:
            for name in ("pyexporter", "node_exporter"):
                low = results["sizes"][first].get(name, {}).get("cpu_ms_per_scrape")
                high = results["sizes"][f"{factor}x"].get(name, {}).get("cpu_ms_per_scrape")
                if low and high:
                    results.setdefault("scaling", []).append(
                        {"exporter": name, "factor": factor // factors[0], "ratio": high / low})
        if args.live:
            with running(start_pair(both_default, Roots(), workdir, node_exporter, {})) as pair:
                live = measure(pair, args.scrapes, args.warmup)
                add_ratios(live)
                results["live"] = live
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    with open("/proc/loadavg", encoding="ascii") as fh:
        results["machine"]["loadavg_at_end"] = fh.read().split()[:3]
    results["targets"] = evaluate(results)
    print_table(results)
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=2, sort_keys=True)
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
