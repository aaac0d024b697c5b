"""The scrape engine: runs collectors off the event loop, bounded in time.

Collectors run on a small pool of worker threads. The engine, not the
collector, times it, catches its errors, and emits
`node_scrape_collector_duration_seconds` and `node_scrape_collector_success`
as node_exporter does. Beyond node_exporter:

- a collector that does not finish within the timeout is reported as failed
  and the scrape is answered without it; while its thread is still stuck,
  later scrapes do not start it again (no pile-up of blocked threads), and a
  spare worker takes over the rest of the work;
- concurrent scrapes of the same collector set share one collection (single
  flight), and no request is served data read before it arrived. A request
  that arrives while a collection runs takes from it the collectors that have
  not started yet, and the others from the next collection, which runs them
  first: it waits about one collection, not the rest of the running one plus a
  whole one. The requests that arrive while one collection runs share their
  result.

Why one worker and not a thread per collector: collectors are Python code (one
runs at a time under the GIL) that waits only for short reads of /proc and
/sys. More threads only add GIL hand-offs, memory, and per-collector futures on
the event loop; a spare is started only for a collector that looks blocked.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pyexporter.errors import CollectorError, NoDataError
from pyexporter.gather import gather
from pyexporter.metrics import GAUGE, MetricFamily, family_problem
from pyexporter.registry import Collector
from pyexporter.workers import Job, WorkerPool

log = logging.getLogger(__name__)

SCRAPE_DURATION_HELP = "node_exporter: Duration of a collector scrape."
SCRAPE_SUCCESS_HELP = "node_exporter: Whether a collector succeeded."

#: Worker threads kept for collectors. One: collectors are Python code, the GIL
#: runs one at a time, and two CPU-bound threads handing the GIL back and forth
#: cost a fifth more CPU per scrape of the benchmark's big node than one, and
#: under load (ten clients scraping back to back) a quarter of the throughput.
#: A collector blocked in a read is what a second thread would help with; the
#: watch below starts one when a collector has run for long while others wait.
WORKERS = 1
#: A collector running longer than this (or than a quarter of the scrape's
#: timeout, when that is shorter) may be blocked (a dead mount, a hung driver):
#: while collectors of the scrape still wait to start, a spare worker is
#: started for them, early enough that they still finish in time.
SLOW_COLLECTOR_SECONDS = 1.0
#: Spare workers beyond WORKERS leave after idling this long.
SPARE_IDLE_SECONDS = 30.0


@dataclass(slots=True)
class CollectorOutcome:
    name: str
    families: list[MetricFamily]
    success: bool
    duration: float


@dataclass
class Collection:
    """The merged result of one run of a set of collectors, shared by the requests that joined it."""

    families: list[MetricFamily]
    outcomes: list[CollectorOutcome]
    #: Response bodies by (format, encoding), filled by the server so joiners share the work.
    rendered: dict[object, bytes] = field(default_factory=dict)


class _Group:
    """The requests that arrived while a collection ran, after some of its collectors had begun.

    The collectors that had begun by the last arrival (`late`) are read again:
    their outcomes come from the next collection, which runs them first, the
    others from the one that was running. Taking more from the next collection
    than an earlier member needed only makes its data fresher; one group per
    running collection keeps the merging and rendering to one more per cycle.
    """

    __slots__ = ("from_next", "from_running", "future", "late", "left", "names")

    def __init__(self, names: tuple[str, ...], late: frozenset[str], loop: asyncio.AbstractEventLoop) -> None:
        self.future: asyncio.Future[Collection] = loop.create_future()
        self.names = names
        self.late = late
        #: Late collectors the next collection has still to finish (counted down by workers).
        self.left = len(late)
        #: Outcomes of the other collectors, handed over when the running collection ends.
        self.from_running: dict[str, CollectorOutcome] | None = None
        self.from_next: dict[str, CollectorOutcome] = {}


class _Run:
    """One collection in progress: its collectors, their outcomes, and who waits for it."""

    __slots__ = ("cancelled", "deadline", "future", "group_ready", "groups", "jobs", "left", "lock", "loop",
                 "names", "outcomes", "partial", "slow", "started", "watch")

    def __init__(self, names: Sequence[str], loop: asyncio.AbstractEventLoop, timeout: float,
                 groups: Sequence[_Group] = (),
                 group_ready: Callable[[_Run, _Group], None] | None = None, partial: bool = False) -> None:
        self.loop = loop
        #: It runs only the collectors a group reads again: no request can share it.
        self.partial = partial
        self.future: asyncio.Future[None] = loop.create_future()
        self.lock = threading.Lock()
        self.names = frozenset(names)
        self.left = len(names)
        self.outcomes: dict[str, CollectorOutcome] = {}
        #: perf_counter() at which each running collector began; those left when
        #: the run times out are stuck.
        self.started: dict[str, float] = {}
        #: Each collector's job on the engine's pool.
        self.jobs: dict[str, Job] = {}
        self.cancelled = False
        self.deadline = time.perf_counter() + timeout
        self.slow = min(SLOW_COLLECTOR_SECONDS, timeout / 4)
        self.watch: asyncio.TimerHandle | None = None
        self.groups = list(groups)
        self.group_ready = group_ready

    def begun(self) -> frozenset[str]:
        """The collectors that have started or finished: data read before now."""
        with self.lock:
            return frozenset(self.started).union(self.outcomes)

    def finish(self, outcome: CollectorOutcome) -> None:
        """Record one collector's outcome (from a worker); the last one wakes the event loop."""
        ready: list[_Group] = []
        with self.lock:
            self.started.pop(outcome.name, None)
            if self.cancelled:
                return
            self.outcomes[outcome.name] = outcome
            self.left -= 1
            last = self.left == 0
            for group in self.groups:
                if outcome.name in group.late:
                    group.left -= 1
                    if group.left == 0:
                        ready.append(group)
        try:
            for group in ready:
                if self.group_ready is not None:
                    self.loop.call_soon_threadsafe(self.group_ready, self, group)
            if last:
                self.loop.call_soon_threadsafe(_resolve, self.future)
        except RuntimeError:  # the loop closed while a collector ran
            pass


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


@dataclass
class _Batch:
    #: The outcomes of its collectors, in name order.
    future: asyncio.Future[list[CollectorOutcome]]
    timeout: float
    task: asyncio.Task[None] | None = None
    #: Its collectors' run, from the moment they are queued.
    run: _Run | None = None
    #: While pending: the requests that take only their late collectors from it.
    group: _Group | None = None
    #: While running: the group that takes its other outcomes when it ends.
    handoff: _Group | None = None
    #: Requests that take the whole collection; it is merged only if there are any.
    whole: int = 0
    collection: Collection | None = None


class ScrapeEngine:
    def __init__(self, collectors: Mapping[str, Collector], timeout: float, workers: int = WORKERS,
                 plugins: Iterable[str] = ()) -> None:
        self.collectors = dict(collectors)
        self.timeout = timeout
        #: Collectors from plugins: their families are checked before they are gathered, and they
        #: are gathered after the built-in ones, so a plugin never displaces a built-in's series.
        self.plugins = frozenset(plugins)
        # Every collector could be stuck at once and one worker still free.
        self._pool = WorkerPool("collector", min(workers, len(self.collectors)),
                                spare_idle=SPARE_IDLE_SECONDS, max_threads=len(self.collectors) + 1)
        # One lock per collector: the same collector never runs twice at once.
        self._locks = {name: threading.Lock() for name in self.collectors}
        self._stuck: set[str] = set()
        self._last_duration: dict[str, float] = {}
        self._pending: dict[tuple[str, ...], _Batch] = {}
        self._active: dict[tuple[str, ...], _Batch] = {}

    def shutdown(self) -> None:
        self._pool.shutdown()

    # --- requests -------------------------------------------------------------------------------

    async def scrape(self, names: Sequence[str] | None = None, timeout: float | None = None) -> Collection:
        """Collect from `names` (default: all), sharing a collection with simultaneous requests."""
        key = tuple(sorted(self.collectors if names is None else names))
        timeout = self.timeout if timeout is None else timeout
        active = self._active.get(key)
        run = active.run if active is not None else None
        if (active is not None and run is not None and not active.future.done() and not run.cancelled
                and not run.partial):
            begun = run.begun()
            if not begun:
                # Nothing of it was read before this request arrived.
                return await self._whole(active)
            if begun != run.names:
                batch = self._pending_batch(key, timeout)
                group = batch.group
                if group is None:
                    group = batch.group = active.handoff = _Group(key, begun, asyncio.get_running_loop())
                else:
                    group.late |= begun
                return await asyncio.shield(group.future)
        return await self._whole(self._pending_batch(key, timeout))

    async def _whole(self, batch: _Batch) -> Collection:
        batch.whole += 1
        outcomes = await asyncio.shield(batch.future)
        if batch.collection is None:
            batch.collection = _assemble(outcomes, self.plugins)
        return batch.collection

    def _pending_batch(self, key: tuple[str, ...], timeout: float) -> _Batch:
        """The collection of `key` that starts next (created if none waits), its timeout at most `timeout`."""
        batch = self._pending.get(key)
        if batch is None:
            loop = asyncio.get_running_loop()
            batch = _Batch(loop.create_future(), timeout)
            self._pending[key] = batch
            batch.task = loop.create_task(self._run_batch(key, batch))
        else:
            batch.timeout = min(batch.timeout, timeout)
        return batch

    async def _run_batch(self, key: tuple[str, ...], batch: _Batch) -> None:
        try:
            # Requests that arrive together (Prometheus HA pairs) join this batch
            # while it waits one loop turn, and while an earlier run of the same
            # set finishes: then they share one collection.
            await asyncio.sleep(0)
            previous = self._active.get(key)
            if previous is not None and not previous.future.done():
                await asyncio.wait([previous.future], timeout=batch.timeout)
            self._pending.pop(key, None)
            self._active[key] = batch
            result = await self._collect(key, batch.timeout, batch)
            batch.future.set_result(result)
        except BaseException as exc:  # pragma: no cover - propagated to the waiting requests
            self._pending.pop(key, None)
            cancelled = isinstance(exc, asyncio.CancelledError)
            for future in (batch.future, batch.group.future if batch.group is not None else None):
                if future is not None and not future.done():
                    # Cancelled (the loop closes): a collection no request waits for any more is no error.
                    future.cancel() if cancelled else future.set_exception(exc)
            if cancelled:
                raise
        finally:
            # The finished collection lives only as long as its requests need it.
            if self._active.get(key) is batch:
                del self._active[key]

    def _group_ready(self, run: _Run, group: _Group) -> None:
        """On the loop: the next collection has read a group's late collectors again."""
        with run.lock:
            group.from_next.update((name, run.outcomes[name]) for name in group.late if name in run.outcomes)
        self._complete_group(group)

    def _complete_group(self, group: _Group) -> None:
        """Answer a group's requests once every outcome is at hand (until then, do nothing)."""
        if group.future.done():
            return
        if group.from_running is None:
            # The running collection outlived this one's wait for it (a timeout): its
            # outcomes never came, so this collection's own must do.
            return
        chosen: list[CollectorOutcome] = []
        for name in group.names:
            outcome = group.from_next.get(name) if name in group.late else group.from_running.get(name)
            if outcome is None:
                return
            chosen.append(outcome)
        group.future.set_result(_assemble(chosen, self.plugins))

    # --- one collection ---------------------------------------------------------------------------

    async def _collect(self, names: Sequence[str], timeout: float,
                       batch: _Batch | None = None) -> list[CollectorOutcome]:
        loop = asyncio.get_running_loop()
        groups = [batch.group] if batch is not None and batch.group is not None else []
        partial = bool(groups) and batch is not None and not batch.whole
        if partial:
            # Only the group waits: read again what it needs, nothing more.
            needed = frozenset().union(*(g.late for g in groups))
            names = [name for name in names if name in needed]
        outcomes: dict[str, CollectorOutcome] = {}
        runnable = []
        for name in names:
            if name in self._stuck:
                log.warning("collector still running from an earlier scrape; not started again",
                            extra={"collector": name})
                outcomes[name] = CollectorOutcome(name, [], False, 0.0)
            else:
                runnable.append(name)
        for group in groups:
            group.from_next.update((name, outcomes[name]) for name in group.late if name in outcomes)
            group.left = sum(1 for name in group.late if name not in outcomes)
        if runnable:
            run = _Run(runnable, loop, timeout, [g for g in groups if g.left], self._group_ready, partial)
            if batch is not None:
                batch.run = run
            # Collectors that requests wait for again go first; then the fastest
            # first. On one worker the order does not change how long a run takes,
            # but a request arriving just after the start re-reads only what had
            # begun: short collectors then, not the run's longest one. A collector
            # that blocks starts last, after the others are done.
            wanted = frozenset().union(*(g.late for g in groups))
            last = self._last_duration
            runnable.sort(key=lambda n: (n not in wanted, last.get(n, 0.0)))
            for name in runnable:
                run.jobs[name] = self._pool.submit(functools.partial(self._run_one, run, name))
            for group in groups:
                if not group.left:
                    self._complete_group(group)
            run.watch = loop.call_later(run.slow, self._watch, run)
            try:
                await asyncio.wait([run.future], timeout=timeout)
            finally:
                run.watch.cancel()
            self._close_run(run, runnable)
            outcomes.update(run.outcomes)
        ordered = [outcomes[name] for name in names]
        for group in groups:
            if not group.future.done():
                group.from_next.update((name, outcomes[name]) for name in group.late)
                if group.from_running is None:
                    group.from_running = outcomes
                self._complete_group(group)
        if batch is not None and batch.handoff is not None:
            # Requests that arrived while this ran take its collectors that had not begun by then.
            late = batch.handoff.late
            batch.handoff.from_running = {o.name: o for o in ordered if o.name not in late}
        return ordered

    def _close_run(self, run: _Run, names: Sequence[str]) -> None:
        """After the wait: collectors still running are stuck, those never started are dropped."""
        now = time.perf_counter()
        with run.lock:
            run.cancelled = True
            for name in names:
                if name in run.outcomes:
                    self._last_duration[name] = run.outcomes[name].duration
                    continue
                began = run.started.get(name)
                if began is not None:
                    self._stuck.add(name)
                    # Its thread is blocked: a fresh one serves the other collectors.
                    self._pool.write_off(run.jobs[name])
                    log.error("collector timed out; the scrape goes on without it", extra={
                        "collector": name, "timeout": f"{now - began:.3g}s"})
                    run.outcomes[name] = CollectorOutcome(name, [], False, now - began)
                else:
                    log.error("collector did not start before the timeout", extra={"collector": name})
                    run.outcomes[name] = CollectorOutcome(name, [], False, 0.0)

    def _watch(self, run: _Run) -> None:
        """While a run lasts: a collector running for long may be blocked, so the rest get a worker more."""
        if run.future.done():
            return
        now = time.perf_counter()
        with run.lock:
            slow = sum(1 for began in run.started.values() if now - began >= run.slow)
        if slow and len(run.started) + len(run.outcomes) < len(run.names):
            # Collectors of this run wait to start: a spare worker for each slow one.
            self._pool.ensure(self._pool.size + slow)
        run.watch = run.loop.call_later(run.slow, self._watch, run)

    # --- running one collector ------------------------------------------------------------------

    def _run_one(self, run: _Run, name: str) -> None:
        if run.cancelled:
            return
        lock = self._locks[name]
        if not lock.acquire(blocking=False):
            # Another collector set runs it right now: wait for that run, then read fresh data.
            if not lock.acquire(timeout=max(0.0, run.deadline - time.perf_counter())):
                run.finish(CollectorOutcome(name, [], False, 0.0))
                return
        try:
            with run.lock:
                if run.cancelled:
                    return
                start = time.perf_counter()
                run.started[name] = start
            outcome = self._run_sync(name, start)
        finally:
            lock.release()
        run.finish(outcome)
        # After finish(): a run that timed out meanwhile has marked it stuck by now.
        self._stuck.discard(name)

    def _run_sync(self, name: str, start: float) -> CollectorOutcome:
        families, error = collect_until_error(self.collectors[name], check=name in self.plugins)
        if error is None:
            pass
        elif isinstance(error, NoDataError):
            log.debug("collector returned no data", extra={"collector": name, "err": str(error)})
        elif isinstance(error, FileNotFoundError):
            log.debug("collector source is absent", extra={"collector": name, "err": str(error)})
        elif isinstance(error, CollectorError):
            log.error("collector failed", extra={"collector": name, "err": str(error)})
        else:
            log.error("collector failed", exc_info=error,
                      extra={"collector": name, "err": f"{type(error).__name__}: {error}"})
        return CollectorOutcome(name, families, error is None, time.perf_counter() - start)


def collect_until_error(collector: Collector, check: bool = False
                        ) -> tuple[list[MetricFamily], BaseException | None]:
    """The families a collector yields, and the exception that stopped it (None when it finished).

    As node_exporter serves what a collector's Update() sent on its channel before it returned an
    error, the families yielded before an exception are kept (with success 0), in whatever state the
    collector left them: samples added to a family after yielding it count too. With `check` (a
    plugin's collector), the families are checked once it has stopped: those before the first unfit
    one are kept, and the collector has failed. SystemExit fails the collector too: it must never
    end a worker thread.
    """
    families: list[MetricFamily] = []
    error: BaseException | None = None
    try:
        for family in collector.collect():
            families.append(family)
    except (Exception, SystemExit) as exc:
        error = exc
    if check:
        for index, family in enumerate(families):
            problem = family_problem(family)
            if problem is not None:
                return families[:index], CollectorError(f"yielded an unfit metric family: {problem}")
    return families, error


def _assemble(ordered: Sequence[CollectorOutcome], plugins: frozenset[str] = frozenset()) -> Collection:
    """The collection of these outcomes: their families gathered, with the duration and success series.

    The plugins' families are gathered last: where a name or series clashes, the built-in's stands.
    """
    duration = MetricFamily("node_scrape_collector_duration_seconds", SCRAPE_DURATION_HELP, GAUGE,
                            ("collector",))
    success = MetricFamily("node_scrape_collector_success", SCRAPE_SUCCESS_HELP, GAUGE, ("collector",))
    for outcome in ordered:
        duration.add(outcome.duration, outcome.name)
        success.add(1.0 if outcome.success else 0.0, outcome.name)
    groups = [o.families for o in ordered if o.name not in plugins]
    groups += [o.families for o in ordered if o.name in plugins]
    groups.append([duration, success])
    # The gathered families hold copies of the samples lists; the collection need
    # not keep the collectors' own (a big node's rendering is the peak).
    return Collection(gather(groups),
                      [CollectorOutcome(o.name, [], o.success, o.duration) for o in ordered])
