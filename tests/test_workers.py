"""The worker pool shared by the scrape engine and the filesystem collector's statfs calls."""

from __future__ import annotations

import threading
import time

from pyexporter.workers import WorkerPool


def _wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.005)


def test_calls_run_in_order_on_size_threads():
    pool = WorkerPool("t-order", 1)
    seen: list[int] = []
    jobs = [pool.submit(lambda i=i: seen.append(i)) for i in range(5)]
    try:
        for job in jobs:
            assert job.done.wait(5)
        assert seen == [0, 1, 2, 3, 4] and pool.threads == 1
    finally:
        pool.shutdown()


def test_a_written_off_thread_is_replaced_and_leaves_when_its_call_returns():
    pool = WorkerPool("t-stuck", 1)
    release = threading.Event()
    stuck = pool.submit(lambda: release.wait(30))
    try:
        assert stuck.started.wait(5)
        pool.write_off(stuck)
        # The replacement runs the next call while the first thread is still blocked.
        assert pool.submit(lambda: None).done.wait(5)
        assert pool.threads == 2
        release.set()
        assert stuck.done.wait(5)
        _wait_for(lambda: pool.threads == 1)
    finally:
        release.set()
        pool.shutdown()


def test_writing_off_a_finished_job_changes_nothing():
    pool = WorkerPool("t-finished", 1)
    try:
        job = pool.submit(lambda: None)
        assert job.done.wait(5)
        pool.write_off(job)
        assert pool.submit(lambda: None).done.wait(5)
        assert pool.threads == 1
    finally:
        pool.shutdown()


def test_a_cancelled_job_never_runs():
    pool = WorkerPool("t-cancel", 1)
    release = threading.Event()
    ran: list[str] = []
    try:
        busy = pool.submit(lambda: release.wait(30))
        queued = pool.submit(lambda: ran.append("queued"))
        assert busy.started.wait(5)
        assert pool.cancel(queued)
        assert not pool.cancel(busy)  # it started: too late
        release.set()
        assert pool.submit(lambda: None).done.wait(5)
        assert ran == [] and not queued.started.is_set()
    finally:
        release.set()
        pool.shutdown()


def test_spares_leave_after_idling_and_max_threads_bounds_all():
    pool = WorkerPool("t-spare", 1, spare_idle=0.05, max_threads=3)
    try:
        pool.ensure(10)
        assert pool.threads == 3
        _wait_for(lambda: pool.threads == 1)
    finally:
        pool.shutdown()


def test_a_call_that_raises_is_logged_and_the_thread_goes_on(caplog):
    pool = WorkerPool("t-raise", 1)
    try:
        failed = pool.submit(lambda: 1 / 0)
        assert failed.done.wait(5)
        assert pool.submit(lambda: None).done.wait(5)
        assert pool.threads == 1
        assert any("worker call failed" in r.getMessage() for r in caplog.records)
    finally:
        pool.shutdown()
