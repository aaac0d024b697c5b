"""The scrape engine's worker pool and single flight (the HTTP-level behaviour is in test_server.py)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from pyexporter import scrape
from pyexporter.errors import CollectorError, NoDataError
from pyexporter.metrics import MetricFamily, Sample, gauge
from pyexporter.registry import Collector
from pyexporter.scrape import Collection, ScrapeEngine
from pyexporter.settings import Settings


class Counting(Collector):
    """Its sample is the number of its call; `began[n]` is when call n started."""

    def __init__(self, name: str, block: threading.Event | None = None, delay: float = 0.0) -> None:
        super().__init__(Settings())
        self.name = name
        self.block = block
        self.delay = delay
        self.calls = 0
        self.began: dict[int, float] = {}
        self.desc = gauge(f"node_test_{name}", "Test.")

    def collect(self):
        self.calls += 1
        call = self.calls
        self.began[call] = time.monotonic()
        if self.block is not None:
            self.block.wait(10)
        if self.delay:
            time.sleep(self.delay)
        yield self.desc.one(call)


def _success(collection: Collection) -> dict[str, bool]:
    return {o.name: o.success for o in collection.outcomes}


def _calls(collection: Collection) -> dict[str, int]:
    """Which call of each collector the collection holds."""
    return {f.name.removeprefix("node_test_"): int(f.samples[0].value)
            for f in collection.families if f.name.startswith("node_test_")}


@contextlib.contextmanager
def running(collectors: dict[str, Collector], *, release: threading.Event | None = None,
            **engine_args: Any) -> Iterator[ScrapeEngine]:
    """A ScrapeEngine over `collectors`, shut down afterwards (setting `release` first, so that the
    collectors it blocks end with the test)."""
    engine = ScrapeEngine(collectors, **engine_args)
    try:
        yield engine
    finally:
        if release is not None:
            release.set()
        engine.shutdown()


async def until_called(collector: Counting, calls: int = 1) -> None:
    """Return once `collector` has begun its `calls`-th call."""
    while collector.calls < calls:
        await asyncio.sleep(0.005)


async def started_scrape(engine: ScrapeEngine, collector: Counting) -> asyncio.Future[Collection]:
    """A scrape started now, returned while it runs, once `collector` has begun its first call."""
    scrape = asyncio.ensure_future(engine.scrape())
    await until_called(collector)
    return scrape


async def test_requests_arriving_together_share_one_collection():
    collectors = {n: Counting(n, delay=0.01) for n in "abc"}
    with running(collectors, timeout=5) as engine:
        results = await asyncio.gather(*(engine.scrape() for _ in range(5)))
        assert all(r is results[0] for r in results)
        assert {n: c.calls for n, c in collectors.items()} == {"a": 1, "b": 1, "c": 1}


async def test_a_request_mid_collection_rereads_only_what_had_begun():
    # One worker runs a, b, c, d in turn (50 ms each). A request arriving while c
    # runs takes d from the running collection (it starts after the request) and
    # a, b, c from the next one, which runs them first.
    collectors = {n: Counting(n, delay=0.05) for n in "abcd"}
    with running(collectors, timeout=5, workers=1) as engine:
        first = await started_scrape(engine, collectors["c"])
        arrived = time.monotonic()
        second = await engine.scrape()
        assert _calls(await first) == {"a": 1, "b": 1, "c": 1, "d": 1}
        assert _calls(second) == {"a": 2, "b": 2, "c": 2, "d": 1}
        assert all(_success(second).values())
        # Nobody else waited: the second collection read a, b and c only.
        assert collectors["d"].calls == 1
        for name, call in _calls(second).items():
            assert collectors[name].began[call] >= arrived


async def test_requests_arriving_during_one_collection_share_their_result():
    collectors = {n: Counting(n, delay=0.04) for n in "abcd"}
    with running(collectors, timeout=5, workers=1) as engine:
        first = await started_scrape(engine, collectors["b"])
        early = await started_scrape(engine, collectors["c"])
        late = asyncio.ensure_future(engine.scrape())
        await first
        # The later arrival had seen c begin: both take a, b and c from the next collection.
        assert await early is await late
        assert _calls(await late) == {"a": 2, "b": 2, "c": 2, "d": 1}


async def test_no_request_is_served_data_read_before_it_arrived():
    # Requests at random moments while collections run back to back: every
    # collector's result a request gets comes from a call that began after it arrived.
    collectors = {n: Counting(n, delay=0.003) for n in "abcdef"}
    rng = random.Random(7)
    checked = 0

    async def client() -> None:
        nonlocal checked
        for _ in range(15):
            await asyncio.sleep(rng.uniform(0, 0.02))
            arrived = time.monotonic()
            collection = await engine.scrape()
            calls = _calls(collection)
            assert set(calls) == set(collectors)
            for name, call in calls.items():
                assert collectors[name].began[call] >= arrived, (name, call)
            checked += 1

    with running(collectors, timeout=5, workers=1) as engine:
        await asyncio.gather(*(client() for _ in range(6)))
        assert checked == 90
        # Shared work: far fewer collections than requests.
        assert collectors["a"].calls < 90


async def test_a_request_behind_a_stuck_collector_is_answered_without_it():
    release = threading.Event()
    collectors = {"a": Counting("a", block=release), "b": Counting("b")}
    with running(collectors, timeout=0.4, workers=1, release=release) as engine:
        first = await started_scrape(engine, collectors["a"])
        started = time.monotonic()
        second = await engine.scrape()
        assert time.monotonic() - started < 2.0
        assert _success(await first) == {"a": False, "b": True}
        # a had begun before the request: it is not taken from the first
        # collection, and still stuck, so it is not run again.
        assert _success(second) == {"a": False, "b": True}
        assert collectors["a"].calls == 1


async def test_a_request_arriving_while_a_rereading_runs_gets_a_whole_collection():
    collectors = {n: Counting(n, delay=0.04) for n in "abc"}
    with running(collectors, timeout=5, workers=1) as engine:
        first = await started_scrape(engine, collectors["b"])
        second = asyncio.ensure_future(engine.scrape())
        await first
        # The second collection re-reads a and b for `second` alone; a request arriving
        # meanwhile cannot share it (it lacks c) and gets a whole collection of its own.
        await until_called(collectors["a"], 2)
        arrived = time.monotonic()
        third = await engine.scrape()
        assert _calls(await second) == {"a": 2, "b": 2, "c": 1}
        assert set(_calls(third)) == {"a", "b", "c"}
        for name, call in _calls(third).items():
            assert collectors[name].began[call] >= arrived


async def test_a_blocked_collector_does_not_starve_the_others():
    release = threading.Event()
    collectors = {"a_blocked": Counting("a_blocked", block=release),
                  **{f"b{i}": Counting(f"b{i}") for i in range(5)}}
    with running(collectors, timeout=0.8, workers=1, release=release) as engine:
        started = time.monotonic()
        collection = await engine.scrape()
        assert time.monotonic() - started < 1.5
        assert _success(collection) == {"a_blocked": False, **{f"b{i}": True for i in range(5)}}
        # Stuck: not started again, and the others still have a free worker.
        collection = await engine.scrape()
        assert collectors["a_blocked"].calls == 1
        assert all(_success(collection)[f"b{i}"] for i in range(5))


class FailingPartWay(Collector):
    """Yields a family, then one it goes on filling, then fails (or blocks, with `block`)."""

    def __init__(self, error: Exception, block: threading.Event | None = None) -> None:
        super().__init__(Settings())
        self.error = error
        self.block = block
        self.first = gauge("node_test_partial_first", "Test.")
        self.devices = gauge("node_test_partial_devices", "Test.", "device")

    def collect(self):
        yield self.first.one(1)
        devices = self.devices.family()
        yield devices
        devices.add(1, "a")
        if self.block is not None:
            self.block.wait(10)
            devices.add(2, "b")
        raise self.error


@pytest.mark.parametrize("error", [CollectorError("the second source failed"), NoDataError("absent"),
                                   FileNotFoundError("/proc/x"), ValueError("a bug")])
async def test_a_collector_failing_part_way_serves_what_it_had(error):
    # As node_exporter: what Update() sent before its error is exposed, with success 0, whatever the
    # error; samples added to a family after it was yielded count too.
    with running({"partial": FailingPartWay(error), "ok": Counting("ok")}, timeout=5) as engine:
        collection = await engine.scrape()
        assert _success(collection) == {"partial": False, "ok": True}
        got = {(s.name, s.labels, s.value) for f in collection.families for s in f.samples
               if s.name.startswith("node_test_")}
        assert got == {("node_test_partial_first", (), 1.0), ("node_test_ok", (), 1.0),
                       ("node_test_partial_devices", (("device", "a"),), 1.0)}


async def test_a_collector_that_times_out_contributes_nothing_half_built():
    # Its thread still runs and may still change what it yielded: none of it is served.
    release = threading.Event()
    with running({"partial": FailingPartWay(CollectorError("late"), release)}, timeout=0.3,
                 release=release) as engine:
        collection = await engine.scrape()
        assert _success(collection) == {"partial": False}
        assert not [f for f in collection.families if f.name.startswith("node_test_")]


async def test_one_worker_by_default():
    collectors = {f"c{i}": Counting(f"c{i}") for i in range(8)}
    with running(collectors, timeout=5) as engine:
        for _ in range(3):
            await engine.scrape()
        assert engine._pool.threads == scrape.WORKERS == 1


class Exiting(Collector):
    """Calls sys.exit() after yielding one family, as a plugin's bug might."""

    def __init__(self) -> None:
        super().__init__(Settings())
        self.calls = 0
        self.desc = gauge("node_test_exiting", "Test.")

    def collect(self):
        self.calls += 1
        yield self.desc.one(self.calls)
        raise SystemExit(3)


async def test_sys_exit_in_a_collector_fails_it_alone_and_it_runs_again():
    # SystemExit is no Exception: let through, it would end the worker thread, and the collector
    # would look stuck for ever.
    exiting = Exiting()
    with running({"exiting": exiting, "ok": Counting("ok")}, timeout=5) as engine:
        for call in (1, 2):
            collection = await engine.scrape()
            assert _success(collection) == {"exiting": False, "ok": True}
            assert _calls(collection) == {"exiting": call, "ok": call}


class Yielding(Collector):
    """Yields the families it is given, each as it stands."""

    def __init__(self, *families: object) -> None:
        super().__init__(Settings())
        self.families = families

    def collect(self):
        yield from self.families


@pytest.mark.parametrize("unfit", [
    MetricFamily("node_test-bad", "Bad name.").add(1),
    MetricFamily("node_test_bad", "Bad label.", label_names=("a-b",)).add(1, "x"),
    "not a family",
])
async def test_a_plugin_yielding_an_unfit_family_fails_and_keeps_what_came_before(unfit):
    good = gauge("node_test_good", "Test.").one(1)
    after = gauge("node_test_after", "Test.").one(1)
    with running({"plugin": Yielding(good, unfit, after), "ok": Counting("ok")}, timeout=5,
                 plugins={"plugin"}) as engine:
        collection = await engine.scrape()
        assert _success(collection) == {"plugin": False, "ok": True}
        assert {f.name for f in collection.families if f.name.startswith("node_test")} == {
            "node_test_good", "node_test_ok"}


async def test_a_builtin_collectors_families_are_not_checked():
    # The check is for plugins: the built-in collectors' output is tested against node_exporter's,
    # and checking every sample of a big node would cost every scrape.
    odd = MetricFamily("node_test_odd", "Odd.")
    odd.samples.append(Sample("node_test_odd", (("b", "1"), ("a", "2")), 1.0))
    with running({"builtin": Yielding(odd)}, timeout=5) as engine:
        assert _success(await engine.scrape()) == {"builtin": True}


async def test_a_plugin_never_displaces_a_builtin_series():
    # The plugin's name sorts first, and it yields the built-in's family and series with another
    # value: the built-in's stands, whatever the order of names.
    load = gauge("node_load1", "1m load average.")
    with running({"aaa": Yielding(load.one(-1)), "loadavg": Yielding(load.one(0.25))}, timeout=5,
                 plugins={"aaa"}) as engine:
        collection = await engine.scrape()
        (family,) = [f for f in collection.families if f.name == "node_load1"]
        assert [s.value for s in family.samples] == [0.25]
        assert _success(collection) == {"aaa": True, "loadavg": True}
