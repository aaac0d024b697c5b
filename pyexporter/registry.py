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

A collector module declares its class with `@register` when it is imported
(node_exporter's registerCollector). pyexporter.loader imports the modules, built-in or
from plugins alike, checks each declared class and adds it here (`add`): the registry
holds what the command line offers, each collector with its origin.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from pyexporter.errors import ConfigError, NoDataError
from pyexporter.flags import Flag, unique
from pyexporter.metrics import MetricFamily
from pyexporter.settings import Settings


class Collector:
    """Base class of every collector; subclasses set `name` and implement `collect()`."""

    name: ClassVar[str] = ""
    default_enabled: ClassVar[bool] = True
    flags: ClassVar[tuple[Flag[Any], ...]] = ()
    #: The collector API version (pyexporter.plugin.API_VERSION) a plugin's collector is written
    #: for, as a number; the loader refuses a plugin without a supported one. Built-in collectors
    #: leave it None: they are written for the pyexporter they ship with.
    api_version: ClassVar[int | None] = None

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.roots = settings.roots

    def collect(self) -> Iterator[MetricFamily]:
        """Yield this scrape's metric families (see the module's docstring)."""
        raise NotImplementedError


log = logging.getLogger(__name__)

C = TypeVar("C", bound=type[Collector])


@dataclass(frozen=True)
class Origin:
    """Where a collector comes from: pyexporter itself (`BUILTIN`) or a plugin's distribution."""

    distribution: str | None = None
    version: str = ""

    @property
    def plugin(self) -> bool:
        return self.distribution is not None

    def __str__(self) -> str:
        return f"plugin {self.distribution} {self.version}" if self.plugin else "built in"


BUILTIN = Origin()


@dataclass(frozen=True)
class Registration:
    """A collector the command line knows: its class, or why a plugin's could not be loaded.

    `default_enabled` is the collector's own declaration, except that a plugin's collector is off
    unless its class declares otherwise. A plugin that could not be loaded (`cls` None) keeps its
    name: enabled, it fails every scrape with `problem`.
    """

    name: str
    origin: Origin
    default_enabled: bool
    cls: type[Collector] | None = None
    problem: str | None = None


#: Every class @register has seen, in the order their modules ran; the loader picks from them.
_DECLARED: list[type[Collector]] = []
_REGISTRATIONS: dict[str, Registration] = {}
_COLLECTORS: dict[str, type[Collector]] = {}


def register(cls: C) -> C:
    """Class decorator: declare a collector class, for the loader to add under its `name`.

    Each collector module declares its class when it is imported, as node_exporter's collectors
    call registerCollector from init(); `pyexporter.loader` imports the modules and adds them.
    """
    if not (isinstance(cls, type) and issubclass(cls, Collector)):
        raise TypeError(f"@register takes a Collector class, not {cls!r}")
    if not cls.name:
        raise TypeError(f"{cls.__qualname__} has no collector name")
    if cls not in _DECLARED:
        _DECLARED.append(cls)
    return cls


def declared_collectors() -> list[type[Collector]]:
    """The classes declared with @register so far, in declaration order."""
    return list(_DECLARED)


def add(registration: Registration) -> None:
    """Add a collector the loader has checked; a name added twice is a bug in the loader."""
    if registration.name in _REGISTRATIONS:
        raise TypeError(f"collector {registration.name!r} registered twice")
    _REGISTRATIONS[registration.name] = registration
    if registration.cls is not None:
        _COLLECTORS[registration.name] = registration.cls


def registrations() -> Mapping[str, Registration]:
    """Every collector name the command line knows, loaded or not, by name."""
    return _REGISTRATIONS


def registered_collectors() -> Mapping[str, type[Collector]]:
    """The collector classes registered so far, by name."""
    return _COLLECTORS


def plugin_collectors() -> frozenset[str]:
    """The names of the collectors that come from plugins."""
    return frozenset(name for name, reg in _REGISTRATIONS.items() if reg.origin.plugin)


def all_flags() -> list[Flag[Any]]:
    """Every collector flag, each once; two collectors declaring one flag differently is a bug."""
    return unique([flag for cls in _COLLECTORS.values() for flag in cls.flags])


def builtin_flags() -> list[Flag[Any]]:
    """The flags of the built-in collectors, each once."""
    return unique([flag for name, cls in _COLLECTORS.items() if not _REGISTRATIONS[name].origin.plugin
                   for flag in cls.flags])


class UnavailableCollector(Collector):
    """Stands in for an enabled plugin collector that could not be loaded or created.

    Every scrape reports it with node_scrape_collector_success 0. Its reason was logged once, as
    an error, at start; per scrape it is a NoDataError, logged at debug level only.
    """

    def __init__(self, settings: Settings, reason: str) -> None:
        super().__init__(settings)
        self.reason = reason

    def collect(self) -> Iterator[MetricFamily]:
        raise NoDataError(self.reason)


def create_collectors(settings: Settings) -> dict[str, Collector]:
    """Instantiate the enabled collectors; a constructor's ConfigError names the collector.

    A plugin's collector whose constructor fails otherwise (a bug in it) is logged once and
    replaced by an UnavailableCollector: the exporter starts without it.
    """
    out: dict[str, Collector] = {}
    for name in settings.enabled_collectors:
        reg = _REGISTRATIONS[name]
        if reg.cls is None:
            out[name] = UnavailableCollector(settings, reg.problem or "not loaded")
            continue
        try:
            out[name] = reg.cls(settings)
        except ConfigError as exc:
            raise ConfigError(f"collector {name}: {exc}") from exc
        except Exception as exc:
            if not reg.origin.plugin:
                raise
            reason = f"{type(exc).__name__}: {exc}"
            log.error("plugin collector failed to start; it fails every scrape", exc_info=exc,
                      extra={"collector": name, "origin": str(reg.origin), "err": reason})
            out[name] = UnavailableCollector(settings, f"failed to start: {reason}")
    return out
