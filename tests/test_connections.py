"""Connections bounded in time and number (pyexporter.connections): the cap and which connection
gives way at it, on an in-process server; the open-file limit, on the real process. The bound of
each phase under 200 stalled connections is tests/robustness/test_stalled.py."""

from __future__ import annotations

import asyncio
import dataclasses
import resource
import subprocess
import threading

import pytest
from aiohttp import web

from pyexporter.connections import (
    DESCRIPTOR_RESERVE,
    BoundedSite,
    Connection,
    ConnectionLimits,
    ConnectionTracker,
    Phase,
    effective_max_connections,
)
from pyexporter.errors import ConfigError
from pyexporter.metrics import MetricFamily, gauge
from pyexporter.registry import Collector
from pyexporter.server import build_app
from tests.support import free_port, make_settings, start_pyexporter, stderr_lines_until


@pytest.mark.parametrize(("requested", "limit", "expected"), [
    (512, 1024, 512),
    (512, 1048576, 512),
    (512, -1, 512),                          # no limit at all
    (512, 512 + DESCRIPTOR_RESERVE, 512),
    (512, 600, 600 - DESCRIPTOR_RESERVE),    # lowered to fit
    (4096, 1024, 1024 - DESCRIPTOR_RESERVE),
])
def test_effective_max_connections(requested, limit, expected):
    assert effective_max_connections(requested, limit) == expected


def test_an_open_file_limit_without_room_for_connections_is_refused():
    with pytest.raises(ConfigError, match="open-file limit"):
        effective_max_connections(512, DESCRIPTOR_RESERVE + 4)


async def test_the_connection_given_up_is_the_one_waiting_longest_on_its_client():
    tracker = ConnectionTracker(ConnectionLimits())
    now = asyncio.get_running_loop().time()

    def waiting(phase: Phase, age: float) -> Connection:
        conn = Connection(tracker, lambda: None, None)  # type: ignore[arg-type,return-value]
        conn.phase = phase
        tracker.waiting[phase][conn] = now - age
        return conn

    keep_alive = waiting(Phase.IDLE, 30)
    slowloris = waiting(Phase.HEADER, 6)
    newcomer = waiting(Phase.HEADER, 0.001)
    slow_reader = waiting(Phase.RESPONSE, 24)
    handshake = waiting(Phase.HANDSHAKE, 1)
    order = []
    while (victim := tracker._longest_waiting()) is not None:
        order.append(victim)
        del tracker.waiting[victim.phase][victim]
    assert order == [keep_alive, slow_reader, slowloris, handshake, newcomer]


class Gate(Collector):
    """A collector that holds every scrape until the test opens the gate."""

    name = "gate"

    def __init__(self, settings):
        super().__init__(settings)
        self.open = threading.Event()
        self.desc = gauge("node_gate_value", "A value behind a gate.")

    def collect(self) -> list[MetricFamily]:
        self.open.wait(10)
        return [self.desc.one(1)]


async def start_server(tmp_path, limits: ConnectionLimits, collector_factory=Gate):
    settings = dataclasses.replace(make_settings(tmp_path, "--collector.disable-defaults"),
                                   collector_timeout=10.0, max_requests=0)
    collector = collector_factory(settings)
    tracker = ConnectionTracker(limits)
    app = build_app(settings, {"gate": collector}, [tracker.middleware()])
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    await BoundedSite(runner, tracker, host="127.0.0.1", port=0).start()
    return runner, tracker, collector, runner.addresses[0][1]


async def request(port: int, path: str = "/metrics") -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        return await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()


async def test_requests_being_answered_are_never_given_up(tmp_path):
    runner, tracker, gate, port = await start_server(tmp_path, ConnectionLimits(max_connections=2))
    try:
        answers = [asyncio.ensure_future(request(port)) for _ in range(2)]
        for _ in range(100):
            if sum(c.phase is Phase.REQUEST for c in tracker.open) == 2:
                break
            await asyncio.sleep(0.02)
        # Both connections are being answered: a third is closed at once, not either of them.
        third = await request(port, "/")
        assert third == b""
        assert tracker.closed == {"refused": 1}
        gate.open.set()
        for answer in answers:
            assert (await answer).startswith(b"HTTP/1.1 200")
    finally:
        gate.open.set()
        await runner.cleanup()


async def test_at_the_cap_a_stalled_header_gives_way_to_a_scrape(tmp_path):
    runner, tracker, gate, port = await start_server(tmp_path, ConnectionLimits(max_connections=3))
    gate.open.set()
    stalled = []
    try:
        for _ in range(3):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")  # never finished
            stalled.append((reader, writer))
            await asyncio.sleep(0.05)
        for _ in range(5):
            assert (await request(port)).startswith(b"HTTP/1.1 200")
        # The oldest staller made room (and then the next): the scrapes each took one's place.
        assert await asyncio.wait_for(stalled[0][0].read(), 2) == b""
        assert tracker.closed["evicted"] >= 1 and len(tracker.open) <= 3
    finally:
        for _, writer in stalled:
            writer.close()
        await runner.cleanup()


def limits_of(pid: int) -> tuple[int, int]:
    with open(f"/proc/{pid}/limits") as f:
        for line in f:
            if line.startswith("Max open files"):
                soft, hard = line.split()[3:5]
                return int(soft), int(hard)
    raise AssertionError("no Max open files line")


def start_with_nofile(soft: int, hard: int, *flags: str) -> subprocess.Popen[str]:
    def lower() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    return start_pyexporter(free_port(), *flags, preexec_fn=lower)


def test_the_soft_open_file_limit_is_raised_to_the_hard_limit_as_go_does():
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard < 2048:
        pytest.skip(f"hard open-file limit {hard}: nothing to raise to")
    proc = start_with_nofile(1024, hard)
    try:
        lines = stderr_lines_until(proc, "Listening on")
        assert limits_of(proc.pid) == (hard, hard)
        assert not any("max-connections" in line for line in lines)
    finally:
        proc.terminate()
        proc.wait(10)


def test_a_low_hard_limit_lowers_the_cap_or_refuses_to_start():
    proc = start_with_nofile(300, 300)
    try:
        lines = stderr_lines_until(proc, "Listening on")
        warning = next(line for line in lines if "--web.max-connections lowered" in line)
        assert f"max_connections={300 - DESCRIPTOR_RESERVE}" in warning and "open_files_limit=300" in warning
    finally:
        proc.terminate()
        proc.wait(10)
    proc = start_with_nofile(DESCRIPTOR_RESERVE + 4, DESCRIPTOR_RESERVE + 4)
    assert proc.wait(15) == 2
    err = proc.stderr.read().splitlines()
    assert len(err) == 1 and "open-file limit" in err[0]
