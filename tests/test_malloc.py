import platform

import pytest

from pyexporter import malloc


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

    monkeypatch.setattr(malloc.ctypes, "CDLL", FakeLibc)
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    assert malloc.tune()
    # The environment's own setting wins.
    assert calls == [(malloc.M_ARENA_MAX, malloc.ARENA_MAX)]


def test_tune_without_mallopt(monkeypatch):
    class NoMallopt:
        def __init__(self, _name):
            pass

    monkeypatch.setattr(malloc.ctypes, "CDLL", NoMallopt)
    assert malloc.tune() is False


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_tune_calls_the_real_mallopt():
    assert malloc.tune() is True
