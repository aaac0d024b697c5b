"""The collector contract and the registry of collector classes.

A collector is a class with node_exporter's name for it (`name`), whether it runs
unless switched (`default_enabled`), the flags it declares (`flags`, see
pyexporter.flags), and a synchronous `collect()` that yields metric families.
It is created once at start with the parsed Settings (descriptors, regexes and
filters are built then; a bad flag value raises ConfigError) and `collect()`
runs in a worker thread on every scrape.

`collect()` is a generator: it yields each family once it is complete, in the
order node_exporter sends its metrics, and raises when it fails (NoDataError
when its source is absent on this kernel). What it yielded before the exception
is served, with node_scrape_collector_success 0, as node_exporter serves what
Update() sent before returning an error; samples added to a family after it was
yielded count too. A collector that goes on past a part it cannot read yields
the rest and ends with errors.raise_if_parts_failed(). The engine, never the
collector, times it, bounds it, and writes node_scrape_collector_*.

A collector module registers its class with `@register` when it is imported
(node_exporter's registerCollector); pyexporter.loader imports the modules.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, TypeVar

from pyexporter.errors import ConfigError
from pyexporter.flags import Flag, unique
from pyexporter.metrics import MetricFamily
from pyexporter.settings import Settings


class Collector:
    """Base class of every collector; subclasses set `name` and implement `collect()`."""

    name: ClassVar[str] = ""
    default_enabled: ClassVar[bool] = True
    flags: ClassVar[tuple[Flag[Any], ...]] = ()

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.roots = settings.roots

    def collect(self) -> Iterator[MetricFamily]:
        """Yield this scrape's metric families (see the module's docstring)."""
        raise NotImplementedError


C = TypeVar("C", bound=type[Collector])

_COLLECTORS: dict[str, type[Collector]] = {}


def register(cls: C) -> C:
    """Class decorator: add a collector class to the registry under its `name`.

    Each collector module registers its class when it is imported, as node_exporter's collectors
    call registerCollector from init(); `pyexporter.loader` imports the modules.
    """
    if not cls.name:
        raise TypeError(f"{cls.__qualname__} has no collector name")
    existing = _COLLECTORS.get(cls.name)
    if existing is not None and existing is not cls:
        raise TypeError(f"collector {cls.name!r} registered twice")
    _COLLECTORS[cls.name] = cls
    return cls


def registered_collectors() -> Mapping[str, type[Collector]]:
    """The collector classes registered so far, by name."""
    return _COLLECTORS


def all_flags() -> list[Flag[Any]]:
    """Every collector flag, each once; two collectors declaring one flag differently is a bug."""
    return unique([flag for cls in _COLLECTORS.values() for flag in cls.flags])


def create_collectors(settings: Settings) -> dict[str, Collector]:
    """Instantiate the enabled collectors; a constructor's ConfigError names the collector."""
    out: dict[str, Collector] = {}
    for name in settings.enabled_collectors:
        try:
            out[name] = _COLLECTORS[name](settings)
        except ConfigError as exc:
            raise ConfigError(f"collector {name}: {exc}") from exc
    return out
