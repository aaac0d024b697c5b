"""The one thread on which pyexporter talks netlink through pyroute2.

pyroute2's synchronous sockets run an asyncio event loop in the thread that
uses them, and every thread that does so keeps a malloc arena of its own filled
with pyroute2's buffers and objects. Collectors run on whichever thread of the
scrape engine's pool (about fifty) is free, so over a few hundred scrapes each
of those threads came to hold such an arena: the exporter's resident memory
grew by some 40 MiB instead of 17. Handing every pyroute2 call to this single
thread keeps that to one arena. The calls are short dumps; queuing them behind
each other costs nothing a scrape would notice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="netlink")
_local = threading.local()


def _on_netlink_thread(call: Callable[[], T]) -> T:
    _local.is_netlink_thread = True
    return call()


def run(call: Callable[[], T]) -> T:
    """call() on the netlink thread; its result, or its exception raised here."""
    if getattr(_local, "is_netlink_thread", False):
        # Already there: waiting on the queue from inside it would never return.
        return call()
    return _executor.submit(_on_netlink_thread, call).result()
