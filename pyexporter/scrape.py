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
  flight): a request joins a collection that has not started yet, or one that
  started at most `JOIN_WINDOW` before the request arrived, so no request is
  served data read more than a few milliseconds before it arrived.

Why a small pool and not a thread per collector: collectors are Python code
(one runs at a time under the GIL) that waits only for short reads of /proc and
/sys. A few threads overlap those reads with parsing; dozens only add thread
switches, memory, and per-collector futures on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from operator import eq, itemgetter

from pyexporter.errors import NoDataError
from pyexporter.metrics import GAUGE, MetricFamily, Sample
from pyexporter.registry import Collector

log = logging.getLogger("pyexporter.scrape")

SCRAPE_DURATION_HELP = "node_exporter: Duration of a collector scrape."
SCRAPE_SUCCESS_HELP = "node_exporter: Whether a collector succeeded."

#: Worker threads kept for collectors. Measured on the benchmark's big node,
#: one, two and three give the same latency (the GIL runs one at a time); two
#: keep one slow read from holding up every other collector.
WORKERS = 2
#: A collector running longer than this may be blocked (a dead mount, a hung
#: driver): while collectors of the scrape still wait to start, a spare worker
#: is started for them.
SLOW_COLLECTOR_SECONDS = 1.0
#: Spare workers beyond WORKERS leave after idling this long.
SPARE_IDLE_SECONDS = 30.0
#: How long before a request's arrival a running collection may have started
#: for the request to join it. 0: a request never gets data read before it
#: arrived (it joins only collections not yet started).
JOIN_WINDOW = 0.0


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


class _Run:
    """One collection in progress: its collectors, their outcomes, and who waits for it."""

    __slots__ = ("cancelled", "deadline", "future", "left", "lock", "loop", "outcomes", "started", "watch")

    def __init__(self, names: Sequence[str], loop: asyncio.AbstractEventLoop, timeout: float) -> None:
        self.loop = loop
        self.future: asyncio.Future[None] = loop.create_future()
        self.lock = threading.Lock()
        self.left = len(names)
        self.outcomes: dict[str, CollectorOutcome] = {}
        #: perf_counter() at which each running collector began; those left when
        #: the run times out are stuck.
        self.started: dict[str, float] = {}
        self.cancelled = False
        self.deadline = time.perf_counter() + timeout
        self.watch: asyncio.TimerHandle | None = None

    def finish(self, outcome: CollectorOutcome) -> None:
        """Record one collector's outcome (from a worker); the last one wakes the event loop."""
        with self.lock:
            self.started.pop(outcome.name, None)
            if self.cancelled:
                return
            self.outcomes[outcome.name] = outcome
            self.left -= 1
            last = self.left == 0
        if last:
            try:
                self.loop.call_soon_threadsafe(_resolve, self.future)
            except RuntimeError:  # the loop closed while a collector ran
                pass


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


@dataclass
class _Batch:
    future: asyncio.Future[Collection]
    timeout: float
    task: asyncio.Task[None] | None = None
    #: loop.time() when its collectors started; None while it waits to start.
    started: float | None = None


_STOP = object()


class ScrapeEngine:
    def __init__(self, collectors: Mapping[str, Collector], timeout: float, workers: int = WORKERS) -> None:
        self.collectors = dict(collectors)
        self.timeout = timeout
        self._workers = max(1, min(workers, len(self.collectors)))
        # Every collector could be stuck at once and one worker still free.
        self._max_workers = len(self.collectors) + 1
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._threads = 0
        self._idle = 0
        self._pool_lock = threading.Lock()
        # One lock per collector: the same collector never runs twice at once.
        self._locks = {name: threading.Lock() for name in self.collectors}
        self._stuck: set[str] = set()
        self._last_duration: dict[str, float] = {}
        self._pending: dict[tuple[str, ...], _Batch] = {}
        self._active: dict[tuple[str, ...], _Batch] = {}
        self._closed = False

    def shutdown(self) -> None:
        self._closed = True
        with self._pool_lock:
            threads = self._threads
        for _ in range(threads):
            self._queue.put(_STOP)

    # --- requests -------------------------------------------------------------------------------

    async def scrape(self, names: Sequence[str] | None = None, timeout: float | None = None) -> Collection:
        """Collect from `names` (default: all), sharing a collection with simultaneous requests."""
        key = tuple(sorted(self.collectors if names is None else names))
        timeout = self.timeout if timeout is None else timeout
        loop = asyncio.get_running_loop()
        batch = self._pending.get(key)
        if batch is None:
            active = self._active.get(key)
            if (active is not None and active.started is not None and not active.future.done()
                    and loop.time() - active.started <= JOIN_WINDOW):
                return await asyncio.shield(active.future)
            batch = _Batch(loop.create_future(), timeout)
            self._pending[key] = batch
            batch.task = loop.create_task(self._run_batch(key, batch))
        else:
            batch.timeout = min(batch.timeout, timeout)
        return await asyncio.shield(batch.future)

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
            batch.started = asyncio.get_running_loop().time()
            result = await self._collect(key, batch.timeout)
            batch.future.set_result(result)
        except BaseException as exc:  # pragma: no cover - propagated to the waiting requests
            self._pending.pop(key, None)
            if not batch.future.done():
                batch.future.set_exception(exc)
            if isinstance(exc, asyncio.CancelledError):
                raise
        finally:
            # The finished collection lives only as long as its requests need it.
            if self._active.get(key) is batch:
                del self._active[key]

    # --- one collection ---------------------------------------------------------------------------

    async def _collect(self, names: Sequence[str], timeout: float) -> Collection:
        loop = asyncio.get_running_loop()
        outcomes: dict[str, CollectorOutcome] = {}
        runnable = []
        for name in names:
            if name in self._stuck:
                log.warning("collector still running from an earlier scrape; not started again",
                            extra={"collector": name})
                outcomes[name] = CollectorOutcome(name, [], False, 0.0)
            else:
                runnable.append(name)
        if runnable:
            run = _Run(runnable, loop, timeout)
            # The slowest first: the scrape ends sooner when long collectors do not start last.
            last = self._last_duration
            runnable.sort(key=lambda n: last.get(n, 0.0), reverse=True)
            # Threads still blocked in collectors of earlier scrapes do not count.
            self._ensure_workers(min(self._workers, len(runnable)) + len(self._stuck))
            for name in runnable:
                self._queue.put((run, name))
            run.watch = loop.call_later(SLOW_COLLECTOR_SECONDS, self._watch, run)
            try:
                await asyncio.wait([run.future], timeout=timeout)
            finally:
                run.watch.cancel()
            self._close_run(run, runnable)
            outcomes.update(run.outcomes)
        ordered = [outcomes[name] for name in names]
        duration = MetricFamily("node_scrape_collector_duration_seconds", SCRAPE_DURATION_HELP, GAUGE,
                                ("collector",))
        success = MetricFamily("node_scrape_collector_success", SCRAPE_SUCCESS_HELP, GAUGE, ("collector",))
        for outcome in ordered:
            duration.add(outcome.duration, outcome.name)
            success.add(1.0 if outcome.success else 0.0, outcome.name)
        groups = [o.families for o in ordered]
        groups.append([duration, success])
        merged = merge_families(groups)
        # The merged families hold copies of the samples lists; the collectors' own
        # families need not outlive the merge (a big node's rendering is the peak).
        for outcome in ordered:
            outcome.families = []
        return Collection(merged, ordered)

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
            slow = sum(1 for began in run.started.values() if now - began >= SLOW_COLLECTOR_SECONDS)
        if slow and not self._queue.empty():
            self._ensure_workers(self._workers + len(self._stuck) + slow)
        run.watch = run.loop.call_later(SLOW_COLLECTOR_SECONDS, self._watch, run)

    # --- workers -------------------------------------------------------------------------------

    def _ensure_workers(self, wanted: int) -> None:
        with self._pool_lock:
            wanted = min(wanted, self._max_workers)
            while self._threads < wanted:
                self._threads += 1
                threading.Thread(target=self._work, name=f"collector-{self._threads}", daemon=True).start()

    def _work(self) -> None:
        spare_timeout = None
        while True:
            with self._pool_lock:
                self._idle += 1
                # Threads beyond the base pool exist for blocked collectors; they leave when idle.
                spare_timeout = SPARE_IDLE_SECONDS if self._threads > self._workers else None
            try:
                item = self._queue.get(timeout=spare_timeout)
            except queue.Empty:
                item = None
            with self._pool_lock:
                self._idle -= 1
                if item is None or item is _STOP:
                    if item is _STOP or self._threads > self._workers:
                        self._threads -= 1
                        return
                    continue
            self._run_one(*item)  # type: ignore[misc]
            # A finished run holds its collection: keep no reference while idle.
            item = None

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
        collector = self.collectors[name]
        try:
            families = list(collector.collect())
            ok = True
        except NoDataError as exc:
            log.debug("collector returned no data", extra={"collector": name, "err": str(exc)})
            families, ok = [], False
        except FileNotFoundError as exc:
            log.debug("collector source is absent", extra={"collector": name, "err": str(exc)})
            families, ok = [], False
        except Exception as exc:
            log.error("collector failed", extra={"collector": name, "err": f"{type(exc).__name__}: {exc}"},
                      exc_info=True)
            families, ok = [], False
        return CollectorOutcome(name, families, ok, time.perf_counter() - start)


def merge_families(groups: Sequence[Sequence[MetricFamily]]) -> list[MetricFamily]:
    """One family per name, sorted by name, samples sorted and de-duplicated.

    Families with the same name from several collectors (or several calls in
    one collector) are merged as client_golang's registry merges them. A sample
    that repeats an earlier one (same name and labels) is dropped and logged
    once: a duplicate would make Prometheus reject the whole scrape.
    """
    by_name: dict[str, MetricFamily] = {}
    for group in groups:
        for fam in group:
            have = by_name.get(fam.name)
            if have is None:
                merged = MetricFamily(fam.name, fam.help, fam.type, fam.label_names)
                merged.samples = list(fam.samples)
                by_name[fam.name] = merged
            else:
                if have.type != fam.type:
                    _log_type_conflict(fam.name, have.type, fam.type)
                    continue
                have.samples.extend(fam.samples)
    out = []
    for name in sorted(by_name):
        fam = by_name[name]
        if fam.type in ("histogram", "summary"):
            out.append(fam)
            continue
        samples = fam.samples
        if len(samples) > 1:
            samples.sort(key=_sort_key(samples))
            # Duplicates are rare: look for neighbours with equal keys before building a new list.
            keys = list(map(_SAMPLE_KEY, samples))
            if any(map(eq, keys, islice(keys, 1, None))):
                fam.samples = _drop_duplicates(samples)
        out.append(fam)
    return out


#: (name, labels) of a sample: the order client_golang sorts samples in.
_SAMPLE_KEY = itemgetter(0, 1)
_NAME = itemgetter(0)
_LABELS = itemgetter(1)


def _label_value(sample: Sample) -> str:
    return sample[1][0][1]


def _sort_key(samples: list[Sample]) -> Callable[[Sample], object]:
    """A key ordering `samples` as _SAMPLE_KEY does, but cheaper to compare where the family allows.

    Comparing (name, ((label, value), ...)) goes three tuples deep for every
    comparison. Where every sample has the family's name, the labels alone
    order them; where every sample also has the same single label, its value
    does: a plain string comparison, several times faster on a big family.
    """
    if len(set(map(_NAME, samples))) != 1:
        return _SAMPLE_KEY
    label_sets = samples[0][1]
    if len(label_sets) == 1:
        label = label_sets[0][0]
        if all(len(labels) == 1 and labels[0][0] == label for labels in map(_LABELS, samples)):
            return _label_value
    return _LABELS


def _drop_duplicates(samples: list[Sample]) -> list[Sample]:
    kept: list[Sample] = []
    previous = None
    for sample in samples:
        key = (sample.name, sample.labels)
        if key == previous:
            _log_duplicate(sample)
            continue
        previous = key
        kept.append(sample)
    return kept


_reported_duplicates: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
_reported_conflicts: set[tuple[str, str, str]] = set()


def _log_type_conflict(name: str, kept: str, dropped: str) -> None:
    # Once per family and types, as duplicates are: the clash repeats on every scrape.
    key = (name, kept, dropped)
    if key not in _reported_conflicts and len(_reported_conflicts) < 10_000:
        _reported_conflicts.add(key)
        log.error("metric family %s collected with two types (%s, %s); keeping the first",
                  name, kept, dropped)


def _log_duplicate(sample: Sample) -> None:
    key = (sample.name, sample.labels)
    if key not in _reported_duplicates and len(_reported_duplicates) < 10_000:
        _reported_duplicates.add(key)
        log.warning("dropped duplicate sample %s%s; the first one is served",
                    sample.name, dict(sample.labels))


