"""Interpreter and allocator settings for a small, long-running exporter.

tune_malloc(): a scrape of a big node allocates a few megabytes and frees
them again. With glibc's defaults each thread that allocates gets its own heap
arena (up to eight per core), and the mmap threshold climbs after the first
large buffer is freed, so large buffers land in those heaps too; the memory
stays in the process after the scrape. Two arenas and a fixed threshold keep the resident
size close to what is in use (a few MiB less on the benchmark's big node, see
docs/performance.md), at no measurable CPU cost.

Settings given in the environment (MALLOC_ARENA_MAX, MALLOC_MMAP_THRESHOLD_)
win. Elsewhere than glibc (musl) nothing is changed.

raise_open_files_limit(): Go's os package raises the soft RLIMIT_NOFILE to the hard limit when a
program starts (Go 1.19+, golang/go#46279: the low soft limit exists for programs using select(),
which Go does not), so node_exporter runs with the hard limit. pyexporter does the same; asyncio
uses epoll, and --web.max-connections keeps descriptor numbers below select()'s 1024 by default
anyway, for libraries that might use it.

settle_startup(): the objects made at start (modules, flags, descriptors)
live as long as the process; the cyclic garbage collector need not walk them
again and again, and a scrape's tens of thousands of short-lived tuples
(freed by reference counting) need not trigger a collection every 700
allocations. Together that is most of the collector's few milliseconds per
scrape of a big node.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import resource

log = logging.getLogger(__name__)

#: mallopt parameters (malloc.h).
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8

ARENA_MAX = 2
MMAP_THRESHOLD = 128 * 1024
#: Allocations (less deallocations) of container objects between two collections of the youngest generation.
GC_THRESHOLD0 = 7000


def tune_malloc() -> bool:
    """Apply the settings; False when the C library has no mallopt (not glibc)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    if "MALLOC_ARENA_MAX" not in os.environ:
        mallopt(M_ARENA_MAX, ARENA_MAX)
    if "MALLOC_MMAP_THRESHOLD_" not in os.environ:
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    log.debug("malloc tuned", extra={"arena_max": ARENA_MAX, "mmap_threshold": MMAP_THRESHOLD})
    return True


def settle_startup() -> None:
    """Call once everything built at start exists, before serving."""
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD0, gen1, gen2)


def raise_open_files_limit() -> int:
    """Raise the soft open-file limit to the hard limit, as Go does; returns the soft limit in force
    afterwards (-1 for no limit). A refusal (a hard limit above the kernel's nr_open) keeps it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError) as exc:
            log.debug("open-file limit not raised", extra={"soft": soft, "hard": hard, "err": str(exc)})
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return -1 if soft == resource.RLIM_INFINITY else soft
