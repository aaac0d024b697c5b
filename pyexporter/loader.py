"""Loading the collectors, done once by the program's entry point before the flags are parsed.

A collector module registers its class when it is imported (`registry.register`), as
node_exporter's collectors call registerCollector from init(). The built-in collectors are the
modules of `pyexporter.collectors` (the repository's `collectors/` folder); every module is
imported through `import_collector_module`, the one path by which a collector enters the registry.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping

from pyexporter.registry import Collector, registered_collectors

BUILTIN_PACKAGE = "pyexporter.collectors"

_loaded = False


def import_collector_module(name: str) -> None:
    """Import one collector module; its `@register` adds its collector class."""
    importlib.import_module(name)


def builtin_modules() -> list[str]:
    """The modules of the built-in collectors, by their full names."""
    package = importlib.import_module(BUILTIN_PACKAGE)
    return sorted(info.name for info in pkgutil.iter_modules(package.__path__, f"{BUILTIN_PACKAGE}.")
                  if not info.name.rpartition(".")[2].startswith("_"))


def load_collectors() -> Mapping[str, type[Collector]]:
    """Import every collector module once; the registered collector classes by name."""
    global _loaded
    if not _loaded:
        for name in builtin_modules():
            import_collector_module(name)
        _loaded = True
    return registered_collectors()
