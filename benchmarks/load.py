"""pyexporter under load on loopback: scrapers, idle keep-alive connections and slow readers at once.

    python -m benchmarks.load          # full size: 50 scrapers for 60 s, 200 idle, 20 slow, 10,000 scrapes
    python -m benchmarks.load --clients 10 --duration 10 --idle 50 --slow 5 --rss-scrapes 2000  # CI size
    python -m benchmarks.load --json out.json -- --collector.disable-defaults --collector.cpu  # flags

The exporter (`python -m pyexporter`, the machine's own /proc and /sys unless
flags after `--` say otherwise) is started on a free 127.0.0.1 port. Phases:

  idle   a well-behaved probe (one scrape every --probe-interval on a kept-alive
         connection, Prometheus's headers) alone: its latency at rest
  rss    --rss-scrapes scrapes by --rss-clients sequential clients; RSS is read
         at rest after the first --rss-first and after all of them
  load   for --duration: --clients scrapers back to back, --idle keep-alive
         connections that made one request and then wait, --slow clients that
         request and then read one byte a second, and the probe again;
         open fds, threads and RSS of the exporter sampled twice a second
  burst  --burst requests written at once: above --web.max-requests, 503s
  after  every client gone: fds back to where they were, the exporter answers

Checks (exit status 1 when one fails, each printed): no request fails except
503 answers above --web.max-requests; the probe's median latency under load
within --latency-ratio of its idle median; fds and threads bounded by the
connections made plus a constant, and back to the baseline afterwards; RSS
after all rss scrapes within --rss-growth-mib of RSS after --rss-first.
A failing latency ratio is measured again (--latency-attempts) before it
counts: the machine may be busy with other work.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

from benchmarks.command import add_config_options, finish, split_exporter_args, verdict
from benchmarks.process import ExporterProcess

MIB = 1024 * 1024

#: What Prometheus 2.x sends when it scrapes.
PROMETHEUS_HEADERS = {
    "Accept": "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;"
              "q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
    "Accept-Encoding": "gzip",
    "User-Agent": "Prometheus/2.42.0",
    "X-Prometheus-Scrape-Timeout-Seconds": "10",
}
#: The server's own answer above --web.max-requests (pyexporter/server.py).
LIMIT_BODY = b"Limit of concurrent requests reached"


@dataclass
class LoadConfig:
    clients: int = 50
    duration: float = 60.0
    idle: int = 200
    slow: int = 20
    rss_scrapes: int = 10_000
    #: RSS is first read (at rest) after this many scrapes, when the process is warm.
    rss_first: int = 1_000
    rss_clients: int = 2
    probe_interval: float = 0.25
    idle_probes: int = 40
    max_requests: int = 40
    scrape_timeout: float = 10.0
    latency_ratio: float = 2.0
    latency_attempts: int = 2
    rss_growth_mib: float = 2.0
    #: Threads and fds beyond the baseline that do not scale with connections (executors, logs, ...).
    thread_slack: int = 16
    #: Requests sent at the same instant after the load, to see the limit answer 503 (0: skip).
    burst: int = 60
    fd_slack: int = 16
    exporter_args: tuple[str, ...] = ()


@dataclass
class Tally:
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    bad_503: int = 0

    def merge(self, other: Tally) -> None:
        self.statuses.update(other.statuses)
        self.errors.update(other.errors)
        self.latencies.extend(other.latencies)
        self.bad_503 += other.bad_503

    @property
    def failures(self) -> int:
        unexpected = sum(n for s, n in self.statuses.items() if s not in ("200", "503"))
        return sum(self.errors.values()) + unexpected + self.bad_503


@dataclass
class Sample:
    t: float
    fds: int
    threads: int
    rss: int


@dataclass
class Report:
    config: dict[str, object]
    idle_latency_ms: dict[str, float] = field(default_factory=dict)
    load_latency_ms: dict[str, float] = field(default_factory=dict)
    latency_ratio: float = 0.0
    latency_attempts: list[float] = field(default_factory=list)
    scrapers: dict[str, object] = field(default_factory=dict)
    probe: dict[str, object] = field(default_factory=dict)
    idle_connections: dict[str, int] = field(default_factory=dict)
    slow_clients: dict[str, int] = field(default_factory=dict)
    burst: dict[str, object] = field(default_factory=dict)
    resources: dict[str, int] = field(default_factory=dict)
    rss: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


# -- HTTP/1.1 on raw streams: cheap enough that the clients do not starve the server -----------------


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port, limit=1 << 20)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def get(self, path: str = "/metrics", headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """One request on the kept-alive connection (opened on demand): status and body."""
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Connection: keep-alive"]
        lines += [f"{k}: {v}" for k, v in (headers or PROMETHEUS_HEADERS).items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("connection closed by the exporter")
        status = int(status_line.split()[1])
        length = 0
        close = False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value.strip())
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        body = await self.reader.readexactly(length)
        if close:
            self.close()
        return status, body


async def timed_get(conn: Connection, tally: Tally, timeout: float) -> tuple[int, float] | None:
    start = time.perf_counter()
    try:
        status, body = await asyncio.wait_for(conn.get(), timeout)
    # asyncio.TimeoutError: wait_for's own class on 3.10 (an alias of TimeoutError from 3.11).
    except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError, IndexError) as exc:
        tally.errors[type(exc).__name__] += 1
        conn.close()
        return None
    elapsed = time.perf_counter() - start
    tally.statuses[str(status)] += 1
    if status == 503 and LIMIT_BODY not in body:
        tally.bad_503 += 1
    if status == 200:
        tally.latencies.append(elapsed)
    return status, elapsed


# -- the clients -------------------------------------------------------------------------------------


async def scraper(port: int, until: float, tally: Tally, timeout: float) -> None:
    conn = Connection(port)
    try:
        while time.monotonic() < until:
            result = await timed_get(conn, tally, timeout)
            if result is None or result[0] == 503:
                # Turned away or cut off: a real client waits before it comes back.
                await asyncio.sleep(0.05)
    finally:
        conn.close()


async def probe(port: int, count: int | None, until: float | None, interval: float, tally: Tally,
                timeout: float) -> None:
    """The well-behaved client: one scrape per interval, like Prometheus on a short interval."""
    conn = Connection(port)
    done = 0
    try:
        while (count is None or done < count) and (until is None or time.monotonic() < until):
            started = time.monotonic()
            await timed_get(conn, tally, timeout)
            done += 1
            await asyncio.sleep(max(interval - (time.monotonic() - started), 0.0))
    finally:
        conn.close()


async def idle_connection(port: int, ready: asyncio.Event, release: asyncio.Event, tally: Tally,
                          timeout: float, state: Counter[str]) -> None:
    """One request with keep-alive, then silence until released; then one more request on it."""
    conn = Connection(port)
    try:
        if await timed_get(conn, tally, timeout) is None:
            state["failed_open"] += 1
            return
        state["open"] += 1
        ready.set()
        await release.wait()
        if conn.writer is None:
            state["closed_by_exporter"] += 1
            return
        result = await timed_get(conn, tally, timeout)
        # All of them ask at once: those above --web.max-requests are answered 503, on the same connection.
        state["closed_by_exporter" if result is None else f"reused_{result[0]}"] += 1
    finally:
        conn.close()


async def slow_reader(port: int, until: float, state: Counter[str]) -> None:
    """Requests the metrics, then reads one byte a second through a tiny receive window."""
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    sock.setblocking(False)
    try:
        await loop.sock_connect(sock, ("127.0.0.1", port))
        request = f"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: keep-alive\r\n\r\n"
        await loop.sock_sendall(sock, request.encode())
        state["started"] += 1
        while time.monotonic() < until:
            left = max(until - time.monotonic(), 0.01)
            chunk = await asyncio.wait_for(loop.sock_recv(sock, 1), timeout=left)
            if not chunk:
                state["closed_by_exporter"] += 1
                return
            state["bytes"] += 1
            await asyncio.sleep(1.0)
        state["still_reading"] += 1
    except asyncio.TimeoutError:
        state["still_reading"] += 1
    except OSError:
        state["errors"] += 1
    finally:
        sock.close()


# -- measuring the exporter --------------------------------------------------------------------------


def measure(process: psutil.Process) -> Sample:
    with process.oneshot():
        return Sample(time.monotonic(), process.num_fds(), process.num_threads(), process.memory_info().rss)


async def sampler(process: psutil.Process, stop: asyncio.Event, out: list[Sample]) -> None:
    while not stop.is_set():
        out.append(measure(process))
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"count": 0}
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(int(q * len(ordered)), len(ordered) - 1)] * 1e3

    return {"count": len(ordered), "p50": statistics.median(ordered) * 1e3, "p90": at(0.9), "p99": at(0.99),
            "max": ordered[-1] * 1e3}


async def settle_rss(process: psutil.Process) -> int:
    """RSS at rest, as between two Prometheus scrapes."""
    await asyncio.sleep(2.0)
    return min(measure(process).rss for _ in range(3))


# -- the run ------------------------------------------------------------------------------------------


async def run_phases(config: LoadConfig, port: int, process: psutil.Process, report: Report) -> None:
    timeout = config.scrape_timeout
    warm = Tally()
    await probe(port, 10, None, 0.0, warm, timeout)
    if warm.failures or not warm.latencies:
        report.failures.append(f"warm-up scrapes failed: {dict(warm.statuses)} {dict(warm.errors)}")
        return

    # rss: sequential scrapes; RSS at rest after the first rss_first and after all.
    rss_tally = Tally()
    first = min(max(config.rss_first, 1), config.rss_scrapes)
    rss_first = rss_last = 0
    for target, label in ((first, "first"), (config.rss_scrapes, "last")):
        remaining = target - sum(rss_tally.statuses.values()) - sum(rss_tally.errors.values())
        per_client = [remaining // config.rss_clients + (i < remaining % config.rss_clients)
                      for i in range(config.rss_clients)]
        await asyncio.gather(*(probe(port, n, None, 0.0, rss_tally, timeout) for n in per_client if n))
        if label == "first":
            rss_first = await settle_rss(process)
        else:
            rss_last = await settle_rss(process)
    report.rss = {"scrapes_first": first, "scrapes_total": config.rss_scrapes,
                  "rss_first_mib": rss_first / MIB, "rss_last_mib": rss_last / MIB,
                  "growth_mib": (rss_last - rss_first) / MIB,
                  "failed_scrapes": rss_tally.failures}
    if rss_tally.failures:
        report.failures.append(f"rss phase: {rss_tally.failures} failed scrapes {dict(rss_tally.errors)}")
    if (rss_last - rss_first) / MIB > config.rss_growth_mib:
        report.failures.append(f"RSS grew {(rss_last - rss_first) / MIB:.2f} MiB from scrape {first} to "
                               f"{config.rss_scrapes} (limit {config.rss_growth_mib} MiB)")

    baseline = measure(process)
    for _attempt in range(config.latency_attempts):
        ratio = await load_round(config, port, process, report, baseline)
        report.latency_attempts.append(ratio)
        if ratio <= config.latency_ratio:
            break
    if report.latency_ratio > config.latency_ratio:
        report.failures.append(
            f"probe median latency under load is {report.latency_ratio:.2f}x its idle median "
            f"(limit {config.latency_ratio}x) in each of {config.latency_attempts} attempts: "
            f"{report.load_latency_ms} vs {report.idle_latency_ms}")

    if config.burst:
        await burst(config, port, report)

    # after: every client gone; fds come back, the exporter answers.
    deadline = time.monotonic() + 10
    after = measure(process)
    while after.fds > baseline.fds + 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.25)
        after = measure(process)
    report.resources.update({"fds_after": after.fds, "threads_after": after.threads,
                             "rss_after_mib": after.rss // MIB})
    if after.fds > baseline.fds + 2:
        report.failures.append(f"open fds did not return to the baseline: {after.fds} vs {baseline.fds}")
    final = Tally()
    await probe(port, 1, None, 0.0, final, timeout)
    if final.statuses.get("200") != 1:
        report.failures.append(f"the exporter does not answer after the load: {dict(final.statuses)} "
                               f"{dict(final.errors)}")


async def burst(config: LoadConfig, port: int, report: Report) -> None:
    """`config.burst` requests written at once on open connections: above --web.max-requests the
    exporter answers the designed 503 (every request arrives while the first collection runs)."""
    conns = [Connection(port) for _ in range(config.burst)]
    await asyncio.gather(*(c.open() for c in conns))
    tally = Tally()
    try:
        await asyncio.gather(*(timed_get(c, tally, config.scrape_timeout) for c in conns))
    finally:
        for c in conns:
            c.close()
    report.burst = {"requests": config.burst, "statuses": dict(tally.statuses), "errors": dict(tally.errors)}
    if tally.failures:
        report.failures.append(f"burst: {tally.failures} failed requests: {report.burst}")
    if config.max_requests and config.burst > config.max_requests and not tally.statuses.get("503"):
        report.failures.append(f"burst: {config.burst} requests at once against --web.max-requests="
                               f"{config.max_requests} and no 503: {report.burst}")


async def load_round(config: LoadConfig, port: int, process: psutil.Process, report: Report,
                     baseline: Sample) -> float:
    """One idle measurement and one load period; the probe's p50 ratio (also stored in the report)."""
    timeout = config.scrape_timeout
    idle = Tally()
    await probe(port, config.idle_probes, None, config.probe_interval / 4, idle, timeout)
    report.idle_latency_ms = percentiles(idle.latencies)

    samples: list[Sample] = []
    stop_sampling = asyncio.Event()
    sampling = asyncio.create_task(sampler(process, stop_sampling, samples))

    idle_ready, release = asyncio.Event(), asyncio.Event()
    idle_tally, idle_state = Tally(), Counter[str]()
    idle_tasks = []
    for i in range(config.idle):
        idle_tasks.append(asyncio.create_task(
            idle_connection(port, idle_ready, release, idle_tally, timeout, idle_state)))
        if i % 25 == 24:
            await asyncio.sleep(0.05)  # stay within the listen backlog
    await asyncio.sleep(0.5)

    until = time.monotonic() + config.duration
    slow_state: Counter[str] = Counter()
    slow_tasks = [asyncio.create_task(slow_reader(port, until, slow_state)) for _ in range(config.slow)]
    scraper_tallies = [Tally() for _ in range(config.clients)]
    scraper_tasks = [asyncio.create_task(scraper(port, until, t, timeout)) for t in scraper_tallies]
    probe_tally = Tally()
    await asyncio.sleep(min(1.0, config.duration / 10))  # the probe measures the steady state
    await probe(port, None, until, config.probe_interval, probe_tally, timeout)
    await asyncio.gather(*scraper_tasks, *slow_tasks)
    release.set()
    await asyncio.gather(*idle_tasks)
    stop_sampling.set()
    await sampling

    scrapers = Tally()
    for t in scraper_tallies:
        scrapers.merge(t)
    report.load_latency_ms = percentiles(probe_tally.latencies)
    idle_p50 = report.idle_latency_ms.get("p50", 0.0)
    load_p50 = report.load_latency_ms.get("p50", float("inf"))
    report.latency_ratio = load_p50 / idle_p50 if idle_p50 else float("inf")
    report.scrapers = {"statuses": dict(scrapers.statuses), "errors": dict(scrapers.errors),
                       "rate_per_s": sum(scrapers.statuses.values()) / config.duration,
                       "latency_ms": percentiles(scrapers.latencies)}
    report.probe = {"statuses": dict(probe_tally.statuses), "errors": dict(probe_tally.errors)}
    report.idle_connections = dict(idle_state)
    report.slow_clients = dict(slow_state)

    for name, tally in (("scrapers", scrapers), ("probe", probe_tally), ("idle connections", idle_tally)):
        if tally.failures:
            report.failures.append(f"{name}: {tally.failures} failed requests: statuses "
                                   f"{dict(tally.statuses)}, errors {dict(tally.errors)}, "
                                   f"503 without the limit message {tally.bad_503}")
    if idle_state["failed_open"]:
        report.failures.append(f"{idle_state['failed_open']} idle connections could not make their request")
    if slow_state["errors"]:
        report.failures.append(f"{slow_state['errors']} slow clients saw errors")

    connections = config.clients + config.idle + config.slow + 1
    max_fds = max(s.fds for s in samples)
    max_threads = max(s.threads for s in samples)
    report.resources = {"fds_baseline": baseline.fds, "fds_max": max_fds,
                        "threads_baseline": baseline.threads, "threads_max": max_threads,
                        "rss_baseline_mib": baseline.rss // MIB,
                        "rss_max_mib": max(s.rss for s in samples) // MIB, "connections": connections}
    if max_fds > baseline.fds + connections + config.fd_slack:
        report.failures.append(f"open fds reached {max_fds}: more than {connections} connections "
                               f"+ {config.fd_slack} over the baseline {baseline.fds}")
    if max_threads > baseline.threads + config.thread_slack:
        report.failures.append(f"threads reached {max_threads}, baseline {baseline.threads} "
                               f"(+{config.thread_slack} allowed)")
    return report.latency_ratio


def run(config: LoadConfig) -> Report:
    report = Report(config=asdict(config))
    with tempfile.TemporaryDirectory(prefix="pyexporter-load-") as tmp:
        exporter = ExporterProcess([f"--web.max-requests={config.max_requests}", *config.exporter_args],
                                   Path(tmp) / "exporter.log")
        process = psutil.Process(exporter.start().pid)
        try:
            asyncio.run(run_phases(config, exporter.port, process, report))
            if not exporter.alive():
                report.failures.append(f"the exporter died: {exporter.log_tail()}")
            log = exporter.log_tail(100_000)
            if "Traceback" in log:
                trace = log[log.index("Traceback"):][:2000]
                report.failures.append(f"the exporter logged a traceback: {trace}")
        finally:
            exporter.stop()
    return report


def summary(report: Report) -> str:
    r = report
    lines = [
        f"idle probe latency ms: {r.idle_latency_ms}",
        f"load probe latency ms: {r.load_latency_ms}  (ratio of medians {r.latency_ratio:.2f}, "
        f"attempts {[round(a, 2) for a in r.latency_attempts]})",
        f"scrapers: {r.scrapers}",
        f"probe: {r.probe}",
        f"idle connections: {r.idle_connections}",
        f"slow clients: {r.slow_clients}",
        f"burst: {r.burst}",
        f"resources: {r.resources}",
        f"rss: {r.rss}",
        verdict(r.failures),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    own_args, exporter_args = split_exporter_args(argv)
    defaults = LoadConfig()
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n")[0])
    add_config_options(parser, defaults, int, ("clients", "idle", "slow", "rss_scrapes", "rss_first",
                                               "rss_clients", "idle_probes", "max_requests",
                                               "latency_attempts", "burst"))
    add_config_options(parser, defaults, float, ("duration", "probe_interval", "scrape_timeout",
                                                 "latency_ratio", "rss_growth_mib"))
    parser.add_argument("--json", help="write the report as JSON to this file")
    args = vars(parser.parse_args(own_args))
    out = args.pop("json")
    report = run(LoadConfig(**args, exporter_args=exporter_args))
    return finish(summary(report), out, asdict(report), bool(report.failures))


if __name__ == "__main__":
    raise SystemExit(main())
