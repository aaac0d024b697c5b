"""A pool of worker threads that writes off threads stuck in a call.

A thread blocked in the kernel (statfs on a dead NFS mount, a read from a hung driver) cannot be
interrupted. Whoever waits for a job decides when it took too long and writes it off: its thread
no longer counts, a replacement starts at once, and the stuck thread leaves when its call returns.
So a stuck call costs one thread, never the pool. The scrape engine runs collectors on one pool
and the filesystem collector its per-mount statfs calls on another.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

_PENDING, _RUNNING, _DONE, _CANCELLED = range(4)


class Job:
    """One call handed to a pool: whether and when it started, and whether it is done."""

    __slots__ = ("_state", "_worker", "call", "done", "started", "started_at")

    def __init__(self, call: Callable[[], None]) -> None:
        self.call = call
        self.started = threading.Event()
        self.done = threading.Event()
        #: time.monotonic() when a worker began the call.
        self.started_at = 0.0
        self._state = _PENDING
        self._worker: _Worker | None = None


class _Worker(threading.Thread):
    def __init__(self, pool: WorkerPool, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self.pool = pool
        #: Set when a call of this thread outlived its bound: it leaves once that call returns.
        self.written_off = False

    def run(self) -> None:
        self.pool._serve(self)


_STOP = object()


class WorkerPool:
    """`size` threads (started on first use) that run submitted calls in order.

    `ensure(n)` raises the count for a while: threads beyond `size` leave after idling
    `spare_idle` seconds. `max_threads` bounds all threads, written-off ones included.
    """

    def __init__(self, name: str, size: int, *, spare_idle: float = 30.0,
                 max_threads: int | None = None) -> None:
        self.name = name
        self.size = max(1, size)
        self.spare_idle = spare_idle
        self.max_threads = max_threads
        self._queue: queue.SimpleQueue[Job | object] = queue.SimpleQueue()
        self._lock = threading.Lock()
        #: Threads not written off.
        self._healthy = 0
        #: Every thread still running, written-off ones included.
        self._threads = 0
        self._numbered = 0
        self._closed = False

    @property
    def threads(self) -> int:
        """Threads running now, written-off ones included."""
        return self._threads

    def submit(self, call: Callable[[], None]) -> Job:
        """Queue `call`; a free thread runs it (it must not raise: exceptions are logged and lost)."""
        job = Job(call)
        self.ensure(self.size)
        self._queue.put(job)
        return job

    def cancel(self, job: Job) -> bool:
        """True when the job had not started and now never will."""
        with self._lock:
            if job._state == _PENDING:
                job._state = _CANCELLED
                return True
            return False

    def ensure(self, count: int) -> None:
        """At least `count` threads that are not written off (within max_threads)."""
        with self._lock:
            if self._closed:
                return
            missing = count - self._healthy
            if self.max_threads is not None:
                missing = min(missing, self.max_threads - self._threads)
            if missing <= 0:
                return
            self._healthy += missing
            self._threads += missing
            numbers = range(self._numbered + 1, self._numbered + missing + 1)
            self._numbered += missing
        for number in numbers:
            _Worker(self, f"{self.name}-{number}").start()

    def write_off(self, job: Job) -> None:
        """The job's call overran: its thread leaves once the call returns, a replacement starts now."""
        with self._lock:
            worker = job._worker
            if job._state != _RUNNING or worker is None or worker.written_off:
                return
            worker.written_off = True
            self._healthy -= 1
        self.ensure(self.size)

    def shutdown(self) -> None:
        """Idle threads leave; stuck ones leave when their calls return."""
        with self._lock:
            self._closed = True
            healthy = self._healthy
        for _ in range(healthy):
            self._queue.put(_STOP)

    def _serve(self, worker: _Worker) -> None:
        while True:
            with self._lock:
                spare = self._healthy > self.size
            try:
                item = self._queue.get(timeout=self.spare_idle if spare else None)
            except queue.Empty:
                with self._lock:
                    if self._healthy <= self.size:
                        continue
                    self._healthy -= 1
                    self._threads -= 1
                return
            if item is _STOP:
                with self._lock:
                    self._healthy -= 1
                    self._threads -= 1
                return
            assert isinstance(item, Job)
            with self._lock:
                if item._state != _PENDING:
                    continue
                item._state = _RUNNING
                item._worker = worker
                item.started_at = time.monotonic()
            item.started.set()
            try:
                item.call()
            except Exception:
                log.exception("worker call failed", extra={"pool": self.name})
            finally:
                with self._lock:
                    item._state = _DONE
                    item._worker = None
                    leave = worker.written_off
                    if leave:
                        self._threads -= 1
                item.done.set()
                # Nothing of a finished job is kept while the thread idles.
                item = None
            if leave:
                return
