"""Loading the collectors, done once by the program's entry point before the flags are parsed.

A collector module declares its class when it is imported (`registry.register`), as
node_exporter's collectors call registerCollector from init(). There is one way in for every
collector: a `Source` names a collector and the module that declares it; `resolve` imports each
module through `import_collector_module`, finds the class the module declared under that name,
checks it and adds it to the registry. The sources are the modules of `pyexporter.collectors`
(the repository's `collectors/` folder, named as their collector) and the entry points of the
group `pyexporter.collectors` that installed distributions declare (plugins, docs/plugins.md).

Built-in collectors are resolved first and must pass every check (a failure is a bug: TypeError).
A plugin that fails one is not loaded and never stops the others: each problem is one error line
when the exporter starts (`log_problems`), and a plugin that keeps its name (it failed to import,
or its class was refused) fails every scrape with node_scrape_collector_success 0 when enabled.
"""

from __future__ import annotations

import importlib
import logging
import os
import pkgutil
import re
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyexporter.flags import Flag, Kind
from pyexporter.plugin import API_VERSION
from pyexporter.registry import (
    BUILTIN,
    Collector,
    Origin,
    Registration,
    add,
    declared_collectors,
    registered_collectors,
)

log = logging.getLogger(__name__)

BUILTIN_PACKAGE = "pyexporter.collectors"
#: The entry-point group plugins declare their collectors in: `name = "module"` (or `module:Class`).
ENTRY_POINT_GROUP = "pyexporter.collectors"
#: The collector API versions this pyexporter runs: the one pyexporter.plugin offers. (Were the
#: API to change, the older version would stay here for as long as pyexporter still runs it.)
SUPPORTED_API_VERSIONS = frozenset({API_VERSION})
#: node_exporter's collector names: no hyphen and no dot, so `--collector.<name>` never takes the
#: name of a core flag such as --collector.disable-defaults or --collector.load-plugins.
COLLECTOR_NAME = re.compile(r"[a-z][a-z0-9_]*")
#: A plugin whose import takes longer is skipped (its thread is left behind): the exporter starts.
PLUGIN_IMPORT_TIMEOUT = 10.0

_loaded = False
_problems: list[Problem] = []


@dataclass(frozen=True)
class Source:
    """A collector to load: its name, the module that declares it, where it comes from."""

    name: str
    module: str
    origin: Origin = BUILTIN
    #: The entry point's `:attr` part, if any: it must name the collector class.
    attr: str | None = None


@dataclass(frozen=True)
class Problem:
    """Why a plugin's collector was not loaded: one error line at start."""

    name: str
    origin: Origin
    reason: str
    error: BaseException | None = None


@dataclass
class Resolution:
    """The collectors `resolve` accepted (or keeps by name, unloaded), and the problems it met."""

    registrations: dict[str, Registration] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Flag names taken: core flags, `collector.<name>` switches and accepted collectors' flags.
    flags: dict[str, Flag[Any] | None] = field(default_factory=dict)


def import_collector_module(name: str) -> None:
    """Import one collector module; its `@register` declares its collector class."""
    importlib.import_module(name)


def builtin_modules() -> list[str]:
    """The modules of the built-in collectors, by their full names."""
    package = importlib.import_module(BUILTIN_PACKAGE)
    return sorted(info.name for info in pkgutil.iter_modules(package.__path__, f"{BUILTIN_PACKAGE}.")
                  if not info.name.rpartition(".")[2].startswith("_"))


def builtin_sources() -> list[Source]:
    """The built-in collectors: each module of `pyexporter.collectors` declares the one named as it."""
    return [Source(module.rpartition(".")[2], module) for module in builtin_modules()]


def _may_declare_plugins() -> bool:
    """Whether a distribution on sys.path may declare the entry-point group, looked for cheaply.

    importlib.metadata costs 0.9 MiB of RSS (it imports email, csv and zipfile) and about 20 ms:
    it is imported only when some dist-info or egg-info folder's entry_points.txt names the group,
    or when sys.path holds something other than folders (a zip), where it looks itself.
    """
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as it:
                names = [e.name for e in it if e.name.endswith((".dist-info", ".egg-info"))]
        except NotADirectoryError:
            return True
        except OSError:
            continue
        for name in names:
            try:
                with open(os.path.join(entry or ".", name, "entry_points.txt"), encoding="utf-8",
                          errors="replace") as f:
                    if ENTRY_POINT_GROUP in f.read():
                        return True
            except OSError:
                continue
    return False


def plugin_sources() -> list[Source]:
    """The collectors installed distributions declare in the entry-point group, by name."""
    if not _may_declare_plugins():
        return []
    from importlib.metadata import entry_points

    sources = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        dist = entry.dist
        origin = Origin(dist.name if dist is not None else "unknown distribution",
                        dist.version if dist is not None else "")
        sources.append(Source(entry.name, entry.module, origin, entry.attr or None))
    return sorted(sources, key=lambda s: (s.name, s.origin.distribution or ""))


def _import_bounded(module: str, timeout: float) -> BaseException | None:
    """Import a plugin's module on a thread of its own; the error, if it fails or does not finish."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            import_collector_module(module)
        except BaseException as exc:  # SystemExit too: a plugin never ends the exporter
            outcome.append(exc)
        else:
            outcome.append(None)

    thread = threading.Thread(target=run, name=f"import {module}", daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        return TimeoutError(f"import did not finish within {timeout:g}s")
    return outcome[0]


def _declares_default(cls: type[Collector]) -> bool:
    """Whether the class itself (or a base of its own, not Collector) sets default_enabled."""
    return any("default_enabled" in vars(base) for base in cls.__mro__
               if base is not Collector and issubclass(base, Collector))


def _find_class(source: Source, declared: Sequence[type[Collector]]) -> type[Collector] | str:
    """The class the source's module (or a module below it) declared under the source's name."""
    prefix = source.module + "."
    found = [cls for cls in declared if cls.name == source.name
             and (cls.__module__ == source.module or cls.__module__.startswith(prefix))]
    if not found:
        names = sorted({cls.name for cls in declared
                        if cls.__module__ == source.module or cls.__module__.startswith(prefix)})
        also = f" (it declares: {', '.join(names)})" if names else ""
        return f"module {source.module} declares no collector named {source.name!r}{also}"
    if len(found) > 1:
        return f"module {source.module} declares collector {source.name!r} {len(found)} times"
    cls = found[0]
    if source.attr is not None:
        target = getattr(sys.modules.get(source.module), source.attr, None)
        if target is not cls:
            return f"entry point {source.module}:{source.attr} is not the class of collector {source.name!r}"
    return cls


def _check_class(cls: type[Collector], origin: Origin, taken: Mapping[str, Flag[Any] | None]) -> str | None:
    """Why the class may not be added (None: it may), given the flag names already taken."""
    if origin.plugin:
        if cls.api_version is None:
            return "declares no api_version (the pyexporter.plugin.API_VERSION it is written for)"
        if cls.api_version not in SUPPORTED_API_VERSIONS:
            supported = ", ".join(map(str, sorted(SUPPORTED_API_VERSIONS)))
            return f"is written for collector API {cls.api_version!r}; this pyexporter runs API {supported}"
    own: dict[str, Flag[Any]] = {}
    for flag in cls.flags:
        if not isinstance(flag, Flag) or not isinstance(getattr(flag, "kind", None), Kind):
            return f"declares {flag!r}, which is not a flag of pyexporter.flags"
        for name in [flag.name] + ([flag.alias.name] if flag.alias else []):
            if origin.plugin and not name.startswith(f"collector.{cls.name}."):
                return f"declares flag --{name}, outside its own prefix --collector.{cls.name}."
            if name in taken and taken[name] != flag:
                return f"declares flag --{name}, which pyexporter or another collector has already"
            if own.setdefault(name, flag) != flag:
                return f"declares flag --{name} twice with different definitions"
    return None


def _accept(result: Resolution, cls: type[Collector], origin: Origin) -> None:
    # A plugin's collector is off unless its class says otherwise (Collector's default is on).
    default = cls.default_enabled if not origin.plugin or _declares_default(cls) else False
    result.registrations[cls.name] = Registration(cls.name, origin, default, cls)
    result.flags[f"collector.{cls.name}"] = None
    for flag in cls.flags:
        result.flags[flag.name] = flag
        if flag.alias:
            result.flags[flag.alias.name] = flag


def _check_builtin(result: Resolution, cls: type[Collector]) -> None:
    if not COLLECTOR_NAME.fullmatch(cls.name):
        problem: str | None = "is not a node_exporter collector name"
    elif f"collector.{cls.name}" in result.flags:
        problem = f"would take the name of the flag --collector.{cls.name}"
    else:
        problem = _check_class(cls, BUILTIN, result.flags)
    if problem is not None:
        raise TypeError(f"collector {cls.name} ({cls.__module__}): {problem}")


def _resolve_plugin(result: Resolution, name: str, sources: Sequence[Source], import_timeout: float) -> None:
    source = sources[0]

    def refuse(reason: str, keep: bool = True, default: bool = False,
               error: BaseException | None = None) -> None:
        """Record the problem; a plugin that keeps its name fails every scrape when enabled."""
        result.problems.append(Problem(name, source.origin, reason, error))
        if keep:
            result.registrations[name] = Registration(name, source.origin, default, None, reason)
            result.flags[f"collector.{name}"] = None

    if not COLLECTOR_NAME.fullmatch(name):
        return refuse("is not a collector name: lower-case letters, digits and '_' only", keep=False)
    if name in result.registrations:
        return refuse("has the name of a built-in collector, which keeps it", keep=False)
    if f"collector.{name}" in result.flags:
        return refuse(f"would take the name of the flag --collector.{name}", keep=False)
    if len(sources) > 1:
        return refuse(f"is declared by {' and '.join(str(s.origin) for s in sources)}; none is loaded")
    error = _import_bounded(source.module, import_timeout)
    if error is not None:
        return refuse(f"failed to import {source.module}: {type(error).__name__}: {error}", error=error)
    found = _find_class(source, declared_collectors())
    if isinstance(found, str):
        return refuse(found)
    problem = _check_class(found, source.origin, result.flags)
    if problem is not None:
        return refuse(f"collector class {found.__qualname__} {problem}",
                      default=found.default_enabled if _declares_default(found) else False)
    _accept(result, found, source.origin)
    return None


def resolve(builtin: Sequence[Source], plugins: Sequence[Source], reserved: Iterable[Flag[Any]] = (),
            program: Sequence[type[Collector]] = (),
            import_timeout: float = PLUGIN_IMPORT_TIMEOUT) -> Resolution:
    """Import and check every source; what may be registered, and the plugins' problems.

    Built-in sources come first and must pass; then classes the program declared itself before
    loading (`program`, taken as built in); then the plugins by name, each refused on its own
    problem: a name or flag another collector (or a core flag, `reserved`) has, a module that
    fails to import in time or declares no class of that name, an unsupported API version.
    """
    result = Resolution()
    for flag in reserved:
        result.flags[flag.name] = flag
        if flag.alias:
            result.flags[flag.alias.name] = flag
    claimed: set[type[Collector]] = set()
    for source in builtin:
        import_collector_module(source.module)
        found = _find_class(source, declared_collectors())
        if isinstance(found, str):
            raise TypeError(f"collector {source.name}: {found}")
        _check_builtin(result, found)
        _accept(result, found, source.origin)
        claimed.add(found)
    for cls in program:
        if cls not in claimed:
            _check_builtin(result, cls)
            _accept(result, cls, BUILTIN)
    by_name: dict[str, list[Source]] = {}
    for source in plugins:
        by_name.setdefault(source.name, []).append(source)
    for name, sources in sorted(by_name.items()):
        _resolve_plugin(result, name, sources, import_timeout)
    return result


def load_collectors(plugins: bool = True) -> Mapping[str, type[Collector]]:
    """Load every collector once (built-in, and with `plugins` the installed plugins'); the
    registered collector classes by name."""
    global _loaded
    if not _loaded:
        # The core flags are the command line's: collectors keep off their names.
        from pyexporter.cli import CORE_FLAGS

        # Classes a program declared itself before loading (one that embeds pyexporter).
        program = declared_collectors()
        result = resolve(builtin_sources(), plugin_sources() if plugins else [], CORE_FLAGS, program)
        for registration in result.registrations.values():
            add(registration)
        _problems.extend(result.problems)
        _loaded = True
    return registered_collectors()


def problems() -> list[Problem]:
    """The plugins' problems met while loading."""
    return list(_problems)


def log_problems() -> None:
    """One error line per plugin problem (with its traceback at debug level); once logging is set up."""
    for problem in _problems:
        log.error("plugin collector not loaded", exc_info=problem.error, extra={
            "collector": problem.name, "origin": str(problem.origin), "err": problem.reason})
