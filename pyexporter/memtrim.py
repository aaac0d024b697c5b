"""Hand freed heap memory back to the kernel once the exporter goes idle.

A scrape allocates and frees bodies of a few hundred KiB and the collectors'
buffers on some fifty threads. glibc keeps freed memory in its heaps, so the
resident size crept up by several MiB over thousands of scrapes although
Python's own heap stayed flat (benchmarks/load.py, tracemalloc). One
malloc_trim(0) a second after the last scrape (Prometheus scrapes every 15 s or
more) returns it, off the event loop; under continuous scraping it never runs.
Elsewhere than glibc it does nothing.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
from collections.abc import Callable

log = logging.getLogger("pyexporter.memtrim")

#: Seconds without a scrape after which memory is trimmed.
IDLE_DELAY = 1.0


def _load_malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


class IdleTrimmer:
    def __init__(self, delay: float = IDLE_DELAY, trim: Callable[[int], int] | None = None) -> None:
        self.delay = delay
        self.trim = trim if trim is not None else _load_malloc_trim()
        self._handle: asyncio.TimerHandle | None = None
        self.trims = 0

    def poke(self) -> None:
        """A scrape happened: trim `delay` seconds after the last one."""
        if self.trim is None:
            return
        if self._handle is not None:
            self._handle.cancel()
        loop = asyncio.get_running_loop()
        self._handle = loop.call_later(self.delay, self._start)

    def _start(self) -> None:
        self._handle = None
        asyncio.get_running_loop().run_in_executor(None, self._run)

    def _run(self) -> None:
        assert self.trim is not None
        try:
            self.trim(0)
            self.trims += 1
        except Exception:  # pragma: no cover - a libc without the symbol was caught at load
            log.debug("malloc_trim failed", exc_info=True)

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
