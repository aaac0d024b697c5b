"""pyexporter: a drop-in Python replacement for Prometheus node_exporter on Linux."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from types import ModuleType

__version__ = "0.1.0"
#: The node_exporter release whose flags and metrics pyexporter reproduces.
NODE_EXPORTER_COMPAT = "1.12.1"


class _CheckoutCollectors:
    """`pyexporter.collectors` in a checkout: the repository's top-level `collectors/` folder.

    An installation puts that folder at pyexporter/collectors (setup.py's package_dir); run from a
    checkout (`python -m pyexporter` with the checkout on PYTHONPATH) the name is mapped to the
    folder here, so both import the collectors under one name. A meta path finder, asked only after
    the usual ones.
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != f"{__name__}.collectors":
            return None
        return importlib.util.spec_from_file_location(fullname, os.path.join(self.folder, "__init__.py"),
                                                      submodule_search_locations=[self.folder])


def _map_checkout_collectors() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    folder = os.path.join(os.path.dirname(here), "collectors")
    installed = os.path.isdir(os.path.join(here, "collectors"))
    if installed or not os.path.isfile(os.path.join(folder, "__init__.py")):
        return
    if not any(isinstance(finder, _CheckoutCollectors) for finder in sys.meta_path):
        sys.meta_path.append(_CheckoutCollectors(folder))


_map_checkout_collectors()
