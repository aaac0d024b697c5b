"""Stalled connections held open against pyexporter, one kind at a time: every one closed within
its bound, the connection cap holding, a normal scrape still answered quickly.

    python -m benchmarks.stalled                 # 2,000 of each kind, the default bounds (~9 minutes)
    python -m benchmarks.stalled --count 200 --header-timeout 1 --handshake-timeout 1 \\
        --idle-timeout 2 --write-timeout 1       # CI size (tests/robustness/test_stalled.py)
    python -m benchmarks.stalled --json out.json -- --web.max-connections=4096   # exporter flags

For each kind a fresh exporter (`python -m pyexporter` on a free 127.0.0.1 port with its default
collectors on this machine's /proc and /sys; for `handshake` with a web config serving TLS) is
scraped --probes times alone, each scrape on a new connection (its unloaded time). Then --count
connections of the kind are opened (in batches of --batch, the whole bounded by --open-within
seconds) and held; the exporter is scraped --probes times while they are held; then each held
connection is watched until the exporter closes it or its bound plus --slack has passed.

  header     a request header sent one byte every --drip seconds, never finished (slowloris);
             bound --web.read-header-timeout
  handshake  a TCP connection to the TLS port that never sends a ClientHello;
             bound --web.tls-handshake-timeout
  idle       one request answered and read, then nothing (keep-alive); bound --web.idle-timeout
  slow       a request whose answer is never read (a 2 KiB receive window); bound
             --web.write-timeout, counted from when the response is written

Checks (exit status 1 when one fails, each printed): every held connection closed, none later
than its bound + --slack after it stalled (those closed at once were given up at the cap); the
probe's median while they are held under --latency-ratio times its unloaded median and no probe
failed; the exporter's open descriptors never above --web.max-connections + the descriptors it
keeps for itself (pyexporter.connections.DESCRIPTOR_RESERVE) and back to the baseline after; the
exporter alive, with no traceback in its log.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import socket
import ssl
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.command import add_config_options, finish, split_exporter_args, verdict
from benchmarks.process import ExporterProcess

KINDS = ("header", "handshake", "idle", "slow")
MIB = 1024 * 1024


@dataclass
class StalledConfig:
    count: int = 2000
    kinds: tuple[str, ...] = KINDS
    header_timeout: float = 10.0
    handshake_timeout: float = 10.0
    idle_timeout: float = 360.0
    write_timeout: float = 60.0
    probes: int = 20
    probe_interval: float = 0.25
    batch: int = 100
    open_within: float = 60.0
    drip: float = 2.0
    slack: float = 1.0
    latency_ratio: float = 2.0
    exporter_args: tuple[str, ...] = ()

    def bound(self, kind: str) -> float:
        return {"header": self.header_timeout, "handshake": self.handshake_timeout,
                "idle": self.idle_timeout, "slow": self.write_timeout}[kind]

    def flags(self) -> list[str]:
        return [f"--web.read-header-timeout={self.header_timeout}s",
                f"--web.tls-handshake-timeout={self.handshake_timeout}s",
                f"--web.idle-timeout={self.idle_timeout}s", f"--web.write-timeout={self.write_timeout}s",
                *self.exporter_args]


@dataclass
class KindReport:
    kind: str
    bound_s: float
    opened: int = 0
    failed_to_open: int = 0
    #: Closed long before the bound: given up at the connection cap for a newer one.
    closed_at_once: int = 0
    #: Closed at the bound (within --slack of it).
    closed_at_bound: int = 0
    closed_late: int = 0
    never_closed: int = 0
    #: slow only: answered with the designed 503 (--web.max-requests), so never a stalled reader.
    answered_503: int = 0
    lifetime_at_bound_s: dict[str, float] = field(default_factory=dict)
    probe_unloaded_ms: float = 0.0
    probe_loaded_ms: float = 0.0
    probe_ratio: float = 0.0
    probe_failures: int = 0
    fds_baseline: int = 0
    fds_max: int = 0
    fds_after: int = 0
    rss_baseline_mib: float = 0.0
    rss_max_mib: float = 0.0
    max_connections: int = 0
    failures: list[str] = field(default_factory=list)


# -- the exporter ------------------------------------------------------------------------------------


def proc_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def proc_rss(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def tls_files(folder: Path) -> tuple[Path, ssl.SSLContext]:
    """A web config serving TLS with a fresh CA, and a client context trusting it."""
    import trustme

    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1")
    cert, key = folder / "server.crt", folder / "server.key"
    cert.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    key.write_bytes(leaf.private_key_pem.bytes())
    config = folder / "web.yml"
    config.write_text(f"tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n")
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return config, client


def max_connections_of(args: Sequence[str]) -> int:
    for arg in reversed(args):
        if arg.startswith("--web.max-connections="):
            return int(arg.split("=", 1)[1])
    return 512


# -- clients -----------------------------------------------------------------------------------------


async def scrape(port: int, ctx: ssl.SSLContext | None, timeout: float = 10.0) -> float:
    """One scrape on a new connection, as the exporter's own client would make it; seconds."""
    started = time.perf_counter()
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port, ssl=ctx), timeout)
    try:
        writer.write(f"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Encoding: gzip\r\n"
                     "Connection: close\r\n\r\n".encode())
        data = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    if not data.startswith(b"HTTP/1.1 200"):
        raise ConnectionError(f"scrape answered {data[:40]!r}")
    return time.perf_counter() - started


async def probe(port: int, ctx: ssl.SSLContext | None, count: int,
                interval: float) -> tuple[list[float], int]:
    latencies, failures = [], 0
    for _ in range(count):
        started = time.monotonic()
        try:
            latencies.append(await scrape(port, ctx))
        except Exception:
            failures += 1
        await asyncio.sleep(max(interval - (time.monotonic() - started), 0.0))
    return latencies, failures


class Stalled:
    """One held connection of a kind; `closed_at` is when the exporter closed it (monotonic)."""

    def __init__(self, kind: str, port: int) -> None:
        self.kind = kind
        self.port = port
        self.stalled_at = 0.0
        self.closed_at: float | None = None
        self.status = b""
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.sock: socket.socket | None = None
        self.task: asyncio.Task[None] | None = None

    async def open(self, drip: float) -> None:
        request = f"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n\r\n".encode()
        if self.kind == "slow":
            loop = asyncio.get_running_loop()
            sock = self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
            sock.setblocking(False)
            await loop.sock_connect(sock, ("127.0.0.1", self.port))
            await loop.sock_sendall(sock, request)
            self.stalled_at = time.monotonic()
            return
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        if self.kind == "header":
            self.writer.write(request[:20])
            self.stalled_at = time.monotonic()
            self.task = asyncio.create_task(self._drip(request[20:-2], drip))
        elif self.kind == "idle":
            self.writer.write(request)
            head = await self.reader.readuntil(b"\r\n\r\n")
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            await self.reader.readexactly(length)
            self.stalled_at = time.monotonic()
            self.task = asyncio.create_task(self._watch())
        else:  # handshake: connected to the TLS port, says nothing
            self.stalled_at = time.monotonic()
            self.task = asyncio.create_task(self._watch())

    async def _drip(self, rest: bytes, interval: float) -> None:
        watch = asyncio.create_task(self._watch())
        try:
            for byte in rest:
                done, _ = await asyncio.wait({watch}, timeout=interval)
                if done:
                    return
                assert self.writer is not None
                self.writer.write(bytes([byte]))
            await watch
        finally:
            watch.cancel()

    async def _watch(self) -> None:
        assert self.reader is not None
        try:
            while await self.reader.read(65536):
                pass
        except (OSError, asyncio.IncompleteReadError):
            pass
        self.closed_at = time.monotonic()

    async def finish_slow(self, deadline: float) -> None:
        """After the bound: read what the kernel still holds; EOF before the whole answer means the
        exporter closed the connection (its time is when the exporter's descriptor went away)."""
        assert self.sock is not None
        loop = asyncio.get_running_loop()
        await asyncio.sleep(max(deadline - time.monotonic(), 0.0))
        data = bytearray()
        try:
            while True:
                chunk = await asyncio.wait_for(loop.sock_recv(self.sock, 65536), 2.0)
                if not chunk:
                    self.closed_at = time.monotonic()
                    break
                data += chunk
        except ConnectionError:  # reset: closed as well
            self.closed_at = time.monotonic()
        except Exception:  # nothing more within 2 s (TimeoutError, asyncio's own on 3.10): still open
            pass
        self.status = bytes(data[:12])

    def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.writer is not None:
            self.writer.close()
        if self.sock is not None:
            self.sock.close()


# -- one kind ----------------------------------------------------------------------------------------


async def sample(pid: int, stop: asyncio.Event, fds: list[int], rss: list[int]) -> None:
    stopped = asyncio.ensure_future(stop.wait())
    while not stop.is_set():
        try:
            fds.append(proc_fds(pid))
            rss.append(proc_rss(pid))
        except OSError:
            break
        await asyncio.wait({stopped}, timeout=0.1)
    stopped.cancel()


async def run_kind(config: StalledConfig, kind: str, port: int, pid: int, ctx: ssl.SSLContext | None,
                   report: KindReport) -> None:
    bound = config.bound(kind)
    await probe(port, ctx, 5, 0.0)  # warm up
    unloaded, failures = await probe(port, ctx, config.probes, config.probe_interval)
    report.probe_failures += failures
    await asyncio.sleep(0.5)
    report.fds_baseline, report.rss_baseline_mib = proc_fds(pid), proc_rss(pid) / MIB
    fds: list[int] = []
    rss: list[int] = []
    stop_sampling = asyncio.Event()
    sampling = asyncio.create_task(sample(pid, stop_sampling, fds, rss))

    held = [Stalled(kind, port) for _ in range(config.count)]
    open_deadline = time.monotonic() + config.open_within
    # Slow readers' requests come in small batches, each answered before the next: the requests a
    # collection answers at once stay under --web.max-requests (40), so they are not turned away.
    batch, pause = (min(config.batch, 20), 0.05) if kind == "slow" else (config.batch, 0.02)
    for start in range(0, len(held), batch):
        if time.monotonic() > open_deadline:
            break
        results = await asyncio.gather(*(c.open(config.drip) for c in held[start:start + batch]),
                                       return_exceptions=True)
        report.failed_to_open += sum(isinstance(r, BaseException) for r in results)
        await asyncio.sleep(pause)
    opened = [c for c in held if c.stalled_at]
    report.opened = len(opened)

    loaded, failures = await probe(port, ctx, config.probes, config.probe_interval)
    report.probe_failures += failures

    # Watch until each is closed or its bound + slack has passed.
    last = max((c.stalled_at for c in opened), default=time.monotonic())
    if kind == "slow":
        await asyncio.gather(*(c.finish_slow(c.stalled_at + bound + config.slack) for c in opened))
    else:
        deadline = last + bound + config.slack
        while time.monotonic() < deadline and any(c.closed_at is None for c in opened):
            await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)
    stop_sampling.set()
    await sampling
    report.fds_after = proc_fds(pid)
    report.fds_max = max(fds, default=0)
    report.rss_max_mib = max(rss, default=0) / MIB
    for c in held:
        c.close()

    at_bound = []
    for c in opened:
        if kind == "slow" and c.status.startswith(b"HTTP/1.1 503"):
            report.answered_503 += 1
            continue
        if c.closed_at is None:
            report.never_closed += 1
            continue
        lifetime = c.closed_at - c.stalled_at
        if kind == "slow":
            # Closed by the time it was looked at, bound + slack after the request.
            report.closed_at_bound += 1
        elif lifetime < bound * 0.8:
            report.closed_at_once += 1
        elif lifetime <= bound + config.slack:
            report.closed_at_bound += 1
            at_bound.append(lifetime)
        else:
            report.closed_late += 1
    if at_bound:
        ordered = sorted(at_bound)
        report.lifetime_at_bound_s = {"min": ordered[0], "p50": statistics.median(ordered),
                                      "max": ordered[-1]}
    report.probe_unloaded_ms = statistics.median(unloaded) * 1e3 if unloaded else 0.0
    report.probe_loaded_ms = statistics.median(loaded) * 1e3 if loaded else 0.0
    if report.probe_unloaded_ms:
        report.probe_ratio = report.probe_loaded_ms / report.probe_unloaded_ms

    from pyexporter.connections import DESCRIPTOR_RESERVE

    fd_ceiling = report.max_connections + DESCRIPTOR_RESERVE
    checks = [
        # Beyond the cap, connections still mid-request are the first given up for newer ones; the
        # burst itself may then lose some before they are established.
        (report.opened == config.count or config.count > report.max_connections,
         f"{config.count - report.opened} connections could not be opened"),
        (report.never_closed == 0, f"{report.never_closed} held connections still open {config.slack}s after "
                                   f"their bound ({bound}s)"),
        (report.closed_late == 0, f"{report.closed_late} connections closed later than bound + slack"),
        (report.probe_failures == 0, f"{report.probe_failures} probe scrapes failed"),
        (report.probe_ratio < config.latency_ratio,
         f"probe median {report.probe_loaded_ms:.1f} ms with the connections held, "
         f"{report.probe_ratio:.2f}x its unloaded {report.probe_unloaded_ms:.1f} ms"),
        (report.fds_max <= fd_ceiling, f"exporter fds reached {report.fds_max} (ceiling {fd_ceiling})"),
        (report.fds_after <= report.fds_baseline + 2,
         f"exporter fds {report.fds_after} after, {report.fds_baseline} before"),
    ]
    report.failures += [f"{kind}: {message}" for ok, message in checks if not ok]


def raise_own_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def run(config: StalledConfig) -> list[KindReport]:
    raise_own_limit()
    reports = []
    for kind in config.kinds:
        report = KindReport(kind, config.bound(kind), max_connections=max_connections_of(config.flags()))
        with tempfile.TemporaryDirectory(prefix="pyexporter-stalled-") as tmp:
            args = config.flags()
            ctx = None
            if kind == "handshake":
                web_config, ctx = tls_files(Path(tmp))
                args.append(f"--web.config.file={web_config}")
            exporter = ExporterProcess(args, Path(tmp) / "exporter.log")
            exporter.start()
            try:
                asyncio.run(run_kind(config, kind, exporter.port, exporter.pid, ctx, report))
                if not exporter.alive():
                    report.failures.append(f"{kind}: the exporter died: {exporter.log_tail()}")
                log = exporter.log()
                if "Traceback" in log or "level=ERROR" in log:
                    report.failures.append(f"{kind}: the exporter logged an error: {log[-2000:]}")
            finally:
                exporter.stop()
        reports.append(report)
    return reports


def summary(reports: list[KindReport]) -> str:
    lines = []
    for r in reports:
        lines.append(
            f"{r.kind:9} bound {r.bound_s:g}s: {r.opened} held, {r.closed_at_once} closed at once (cap "
            f"{r.max_connections}), {r.closed_at_bound} at the bound {r.lifetime_at_bound_s}, "
            f"{r.closed_late} late, {r.never_closed} never, {r.answered_503} answered 503; probe "
            f"{r.probe_unloaded_ms:.1f} -> {r.probe_loaded_ms:.1f} ms ({r.probe_ratio:.2f}x, "
            f"{r.probe_failures} failed); fds {r.fds_baseline}/{r.fds_max}/{r.fds_after}; RSS "
            f"{r.rss_baseline_mib:.1f}/{r.rss_max_mib:.1f} MiB")
    failures = [f for r in reports for f in r.failures]
    lines.append(verdict(failures))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    own_args, exporter_args = split_exporter_args(argv)
    defaults = StalledConfig()
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stalled", description=__doc__.split("\n")[0])
    add_config_options(parser, defaults, int, ("count", "probes", "batch"))
    add_config_options(parser, defaults, float, ("header_timeout", "handshake_timeout", "idle_timeout",
                                                 "write_timeout", "probe_interval", "open_within", "drip",
                                                 "slack", "latency_ratio"))
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated, of " + ", ".join(KINDS))
    parser.add_argument("--json", help="write the reports as JSON to this file")
    args = vars(parser.parse_args(own_args))
    out = args.pop("json")
    kinds = tuple(k for k in args.pop("kinds").split(",") if k)
    reports = run(StalledConfig(**args, kinds=kinds, exporter_args=exporter_args))
    return finish(summary(reports), out, [asdict(r) for r in reports], any(r.failures for r in reports))


if __name__ == "__main__":
    raise SystemExit(main())
