"""Modules imported on first use.

pyroute2 imports most of itself, sqlite3, multiprocessing and psutil on the
way: about 11 MiB of resident memory, which a node that reads /proc/net/dev
(--no-collector.netdev.netlink) and runs no other netlink collector never
needs. Modules that only the netlink paths use are bound with `lazy_module`
and load on the first attribute access.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """`name` as a module object whose code runs when one of its attributes is first read."""
    module = sys.modules.get(name)
    if module is not None:
        return module
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)
    return module
