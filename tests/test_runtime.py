import gc
import platform

import pytest

from pyexporter import runtime


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_tune_applies_on_glibc(monkeypatch):
    calls = []

    class FakeLibc:
        def __init__(self, _name):
            self.mallopt = FakeMallopt()

    class FakeMallopt:
        argtypes = restype = None

        def __call__(self, param, value):
            calls.append((param, value))
            return 1

    monkeypatch.setattr(runtime.ctypes, "CDLL", FakeLibc)
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    assert runtime.tune_malloc()
    # The environment's own setting wins.
    assert calls == [(runtime.M_ARENA_MAX, runtime.ARENA_MAX)]


def test_tune_without_mallopt(monkeypatch):
    class NoMallopt:
        def __init__(self, _name):
            pass

    monkeypatch.setattr(runtime.ctypes, "CDLL", NoMallopt)
    assert runtime.tune_malloc() is False


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_tune_calls_the_real_mallopt():
    assert runtime.tune_malloc() is True


def test_settle_startup_freezes_and_raises_the_threshold():
    before = gc.get_threshold()
    try:
        runtime.settle_startup()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == runtime.GC_THRESHOLD0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
