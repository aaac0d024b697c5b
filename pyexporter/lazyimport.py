"""Modules imported on first use.

Modules of several MiB that only collectors off by default use are not
imported at start: such a collector binds them with `lazy_module`
(supervisord's xmlrpc.client) or imports them inside the function that needs
them (pyroute2 for wifi and ethtool, about 9 MiB with sqlite3,
multiprocessing and psutil; jeepney for systemd and logind in
pyexporter.dbus). The default collectors' netlink dumps use the standard
library (pyexporter.netlink) and import none of them.

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
