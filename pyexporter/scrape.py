"""The scrape engine: runs collectors off the event loop, bounded in time.

Each collector runs in a worker thread. The engine, not the collector, times
it, catches its errors, and emits `node_scrape_collector_duration_seconds` and
`node_scrape_collector_success` as node_exporter does. Beyond node_exporter:

- a collector that does not finish within the timeout is reported as failed
  and the scrape is answered without it; while its thread is still stuck,
  later scrapes do not start it again (no pile-up of blocked threads);
- concurrent scrapes of the same collector set share one collection (single
  flight): a request joins a collection that has not started yet, so no request
  is ever served data read before it arrived.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pyexporter.errors import NoDataError
from pyexporter.metrics import GAUGE, MetricFamily, Sample
from pyexporter.registry import Collector

log = logging.getLogger("pyexporter.scrape")

SCRAPE_DURATION_HELP = "node_exporter: Duration of a collector scrape."
SCRAPE_SUCCESS_HELP = "node_exporter: Whether a collector succeeded."


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
    #: Rendered bodies by format, filled by the server so joiners share the work.
    rendered: dict[str, bytes] = field(default_factory=dict)


@dataclass
class _Batch:
    future: asyncio.Future[Collection]
    timeout: float
    task: asyncio.Task[None] | None = None


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
        fam.samples.sort(key=_sample_key)
        samples = fam.samples
        kept: list[Sample] = []
        previous = None
        for sample in samples:
            key = (sample.name, sample.labels)
            if key == previous:
                _log_duplicate(sample)
                continue
            previous = key
            kept.append(sample)
        fam.samples = kept
        out.append(fam)
    return out


def _sample_key(sample: Sample) -> tuple[str, tuple[tuple[str, str], ...]]:
    return sample.name, sample.labels


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


class ScrapeEngine:
    def __init__(self, collectors: Mapping[str, Collector], timeout: float) -> None:
        self.collectors = dict(collectors)
        self.timeout = timeout
        # One thread per collector is the most that can ever be busy: a stuck
        # collector is not started again until its thread returns.
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=max(4, len(self.collectors) + 2), thread_name_prefix="collector"
        )
        self._running: dict[str, concurrent.futures.Future[CollectorOutcome]] = {}
        self._stuck: set[str] = set()
        self._pending: dict[tuple[str, ...], _Batch] = {}
        self._active: dict[tuple[str, ...], asyncio.Future[Collection]] = {}

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def scrape(self, names: Sequence[str] | None = None, timeout: float | None = None) -> Collection:
        """Collect from `names` (default: all), sharing a not-yet-started collection with other requests."""
        key = tuple(sorted(self.collectors if names is None else names))
        batch = self._pending.get(key)
        if batch is None:
            loop = asyncio.get_running_loop()
            batch = _Batch(loop.create_future(), self.timeout if timeout is None else timeout)
            self._pending[key] = batch
            batch.task = loop.create_task(self._run_batch(key, batch))
        else:
            batch.timeout = min(batch.timeout, self.timeout if timeout is None else timeout)
        return await asyncio.shield(batch.future)

    async def _run_batch(self, key: tuple[str, ...], batch: _Batch) -> None:
        try:
            # Requests that arrive together (Prometheus HA pairs) join this batch
            # while it waits one loop turn, and while an earlier run of the same
            # set finishes: then they share one collection.
            await asyncio.sleep(0)
            previous = self._active.get(key)
            if previous is not None and not previous.done():
                await asyncio.wait([previous], timeout=batch.timeout)
            self._pending.pop(key, None)
            self._active[key] = batch.future
            result = await self._collect(key, batch.timeout)
            batch.future.set_result(result)
        except BaseException as exc:  # pragma: no cover - propagated to the waiting requests
            self._pending.pop(key, None)
            if not batch.future.done():
                batch.future.set_exception(exc)
            if isinstance(exc, asyncio.CancelledError):
                raise

    async def _collect(self, names: Sequence[str], timeout: float) -> Collection:
        outcomes = await asyncio.gather(*(self._run_one(name, timeout) for name in names))
        duration = MetricFamily("node_scrape_collector_duration_seconds", SCRAPE_DURATION_HELP, GAUGE,
                                ("collector",))
        success = MetricFamily("node_scrape_collector_success", SCRAPE_SUCCESS_HELP, GAUGE, ("collector",))
        for outcome in outcomes:
            duration.add(outcome.duration, outcome.name)
            success.add(1.0 if outcome.success else 0.0, outcome.name)
        groups = [o.families for o in outcomes]
        groups.append([duration, success])
        return Collection(merge_families(groups), list(outcomes))

    async def _run_one(self, name: str, timeout: float) -> CollectorOutcome:
        if name in self._stuck:
            log.warning("collector still running from an earlier scrape; not started again", extra={
                "collector": name})
            return CollectorOutcome(name, [], False, 0.0)
        previous = self._running.get(name)
        if previous is not None and not previous.done():
            # Another collection of a different collector set is running it
            # right now: wait for that run to end, then read fresh data.
            await asyncio.wait([asyncio.wrap_future(previous)], timeout=timeout)
            if not previous.done():
                return CollectorOutcome(name, [], False, timeout)
        start = time.perf_counter()
        future = self._executor.submit(self._run_sync, name)
        self._running[name] = future
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), timeout)
        except TimeoutError:
            self._stuck.add(name)
            future.add_done_callback(lambda _f, n=name: self._stuck.discard(n))
            log.error("collector timed out; the scrape goes on without it", extra={
                "collector": name, "timeout": f"{timeout:g}s"})
            return CollectorOutcome(name, [], False, time.perf_counter() - start)

    def _run_sync(self, name: str) -> CollectorOutcome:
        collector = self.collectors[name]
        start = time.perf_counter()
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
