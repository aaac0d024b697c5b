"""The collector API for plugins: every name a collector from outside pyexporter may use.

A plugin is a distribution that declares its collectors in the entry-point group
`pyexporter.collectors` (`<collector name> = "<module>"`); docs/plugins.md tells the whole
contract. Import from here, and only the names in `__all__`: they keep their meaning for as long
as `API_VERSION` stays the same. Everything else in pyexporter (the parsers under
pyexporter.procfs and pyexporter.sysfs, the engine, the server) may change in any release.

A collector class sets `api_version` to the version it is written for, as a number (`= 1`; not
`= API_VERSION`, which is always the running pyexporter's); the loader refuses a plugin whose
version this pyexporter does not run, with one log line naming both. `API_VERSION` grows by one
when a name here changes or loses its meaning; adding a name does not change it.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyexporter.errors import CollectorError, ConfigError, NoDataError, ParseError, raise_if_parts_failed
from pyexporter.flags import BoolFlag, DurationFlag, IntFlag, ListFlag, RegexFlag, StringFlag
from pyexporter.fs import (
    Roots,
    exists,
    is_dir,
    list_dir,
    read_file,
    read_optional,
    read_optional_text,
    read_sysfs_attr,
    read_text,
    scan_dir,
)
from pyexporter.metrics import (
    COUNTER,
    GAUGE,
    HISTOGRAM,
    NAMESPACE,
    SUMMARY,
    UNTYPED,
    Desc,
    Families,
    MetricFamily,
    counter,
    gauge,
    untyped,
)
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

#: The collector API this module offers; a plugin's collector declares, as a number, the one it is
#: written for.
API_VERSION = 1

__all__ = [
    "API_VERSION",
    "COUNTER",
    "GAUGE",
    "HISTOGRAM",
    "NAMESPACE",
    "SUMMARY",
    "UNTYPED",
    "BoolFlag",
    "Collector",
    "CollectorError",
    "ConfigError",
    "Desc",
    "DurationFlag",
    "Families",
    "IntFlag",
    "ListFlag",
    "MetricFamily",
    "NoDataError",
    "ParseError",
    "RegexFlag",
    "Roots",
    "Settings",
    "StringFlag",
    "counter",
    "exists",
    "gauge",
    "is_dir",
    "list_dir",
    "parse_settings",
    "raise_if_parts_failed",
    "read_file",
    "read_optional",
    "read_optional_text",
    "read_sysfs_attr",
    "read_text",
    "register",
    "scan_dir",
    "untyped",
]


def parse_settings(argv: Sequence[str] = ()) -> Settings:
    """The Settings the exporter makes of this command line, every collector (plugins too) loaded
    first: for a plugin's tests, which build their collector as the exporter does.

    A bad value raises ConfigError; an unknown flag exits 2, as the exporter does.
    """
    from pyexporter.cli import parse_args
    from pyexporter.loader import load_collectors

    load_collectors()
    return parse_args(argv)
