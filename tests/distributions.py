"""Plugin distributions for the tests, laid out on disk as pip installs them.

A folder on sys.path (or PYTHONPATH) holding `<name>-<version>.dist-info/` with METADATA and
entry_points.txt, beside the plugin's modules: what importlib.metadata finds in a site-packages
folder, so discovery runs exactly as for an installed plugin, without a build.
"""

from __future__ import annotations

import importlib
import textwrap
from collections.abc import Mapping
from pathlib import Path

from pyexporter.loader import ENTRY_POINT_GROUP


def write_distribution(site: Path, name: str, version: str, entry_points: Mapping[str, str],
                       modules: Mapping[str, str]) -> Path:
    """Write a distribution declaring `entry_points` (collector name -> "module" or "module:attr")
    and its `modules` (path below `site` -> source, dedented) into `site`; returns `site`."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = [f"[{ENTRY_POINT_GROUP}]", *(f"{key} = {value}" for key, value in entry_points.items())]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    for rel, source in modules.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    # The import system caches folder listings; these files are new.
    importlib.invalidate_caches()
    return site


def collector_module(name: str, body: str = "", *, api_version: str = "1",
                     header: str = "", collect: str = "yield self.up.one(1)", extra: str = "") -> str:
    """The source of a plugin module declaring one collector `name`, whose collect() runs `collect`.

    `body` goes into the class (flags, default_enabled), `header` before it (imports, flags),
    `extra` after it; the class has a gauge `self.up` named node_<name>_up.
    """
    indented_body = textwrap.indent(textwrap.dedent(body), " " * 4)
    indented_collect = textwrap.indent(textwrap.dedent(collect), " " * 8)
    return (
        "from pyexporter.plugin import API_VERSION, Collector, gauge, register  # noqa: F401\n"
        f"{textwrap.dedent(header)}\n\n"
        "@register\n"
        f"class {name.title().replace('_', '')}Collector(Collector):\n"
        f"    name = {name!r}\n"
        f"    api_version = {api_version}\n"
        f"{indented_body}\n"
        "    def __init__(self, settings):\n"
        "        super().__init__(settings)\n"
        f"        self.up = gauge('node_{name}_up', 'Whether {name} ran.')\n\n"
        "    def collect(self):\n"
        f"{indented_collect}\n"
        f"{textwrap.dedent(extra)}\n"
    )
