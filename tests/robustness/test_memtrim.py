"""The exporter hands freed heap memory back once idle: one trim after a burst of scrapes, none during it."""

from __future__ import annotations

import asyncio
import platform

import pytest

from pyexporter.memtrim import IdleTrimmer, _load_malloc_trim


async def test_one_trim_after_the_last_scrape():
    calls: list[int] = []
    trimmer = IdleTrimmer(delay=0.2, trim=lambda pad: calls.append(pad) or 1)
    for _ in range(5):  # a burst of scrapes: each pushes the trim back
        trimmer.poke()
        await asyncio.sleep(0.05)
    assert calls == []
    await asyncio.sleep(0.5)
    assert calls == [0]
    trimmer.poke()
    trimmer.cancel()  # shutting down: nothing left scheduled
    await asyncio.sleep(0.3)
    assert calls == [0]


async def test_without_malloc_trim_nothing_is_scheduled():
    trimmer = IdleTrimmer(delay=0.01)
    trimmer.trim = None
    trimmer.poke()
    await asyncio.sleep(0.05)
    assert trimmer.trims == 0


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_glibc_malloc_trim_is_found():
    assert _load_malloc_trim() is not None
