"""Modules imported on first use.

pyroute2 imports most of itself, sqlite3, multiprocessing and psutil on the
way: about 11 MiB of resident memory, which a node that reads /proc/net/dev
(--no-collector.netdev.netlink) and runs no other netlink collector never
needs. Modules that only the netlink paths use are bound with `lazy_module`
and load on the first attribute access.

Not importlib.util.LazyLoader: in Python 3.11 two threads touching a module it
defers can see it half executed (collectors run on several threads). The
import here goes through importlib.import_module, whose module lock makes a
second thread wait until the first has finished executing the module.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for a module; imports it when one of its attributes is first read."""

    __slots__ = ("_module", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attr)

    def __repr__(self) -> str:
        state = "loaded" if self._module is not None else "not loaded"
        return f"<lazy module {self._name!r} ({state})>"


def lazy_module(name: str) -> Any:
    """A stand-in for module `name` that imports it on first attribute access."""
    return LazyModule(name)
