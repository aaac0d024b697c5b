"""Command line: node_exporter's flags, parsed into a frozen `Settings`."""

from __future__ import annotations

import argparse
import os
import platform
import sys
from collections.abc import Sequence
from types import MappingProxyType
from typing import Any, NoReturn, TypeVar

from pyexporter import NODE_EXPORTER_COMPAT, __version__, buildinfo
from pyexporter.errors import ConfigError
from pyexporter.flags import BoolFlag, DurationFlag, Flag, IntFlag, Kind, ListFlag, StringFlag, convert
from pyexporter.fs import Roots
from pyexporter.registry import Registration, builtin_flags, registrations
from pyexporter.settings import Settings

T = TypeVar("T")


class _HelpFormatter(argparse.HelpFormatter):
    """Shows each flag's default, as node_exporter's --help does."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if default in (None, argparse.SUPPRESS, (), []) or "%(default)" in text or "(default:" in text:
            return text
        shown = ",".join(default) if isinstance(default, (list, tuple)) else default
        return f"{text} (default: {str(shown).replace('%', '%%')})"


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line on stderr and exits 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"pyexporter: error: {message}, try --help\n")
        raise SystemExit(2)


def _groff(text: str) -> str:
    """Text safe in a groff man page: backslashes and hyphens escaped, no line read as a request."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join("\\&" + line if line.startswith((".", "'")) else line for line in text.split("\n"))


def man_page(parser: argparse.ArgumentParser) -> str:
    """The command line as a man page, as kingpin's --help-man prints it for node_exporter."""
    formatter = _HelpFormatter(parser.prog)
    out = [f'.TH {parser.prog} 1 {__version__} "{parser.prog}"', '.SH "NAME"', parser.prog,
           '.SH "SYNOPSIS"', ".TP", f"\\fB{_groff(parser.prog)} [<flags>]\\fR",
           '.SH "DESCRIPTION"', _groff(parser.description or ""), '.SH "OPTIONS"']
    for action in parser._actions:
        if action.help == argparse.SUPPRESS or not action.option_strings:
            continue
        names = [o for o in action.option_strings if o.startswith("--")]
        if isinstance(action, argparse.BooleanOptionalAction):
            synopsis = "--[no-]" + names[0][2:]
        elif action.nargs == 0:
            synopsis = names[0]
        else:
            synopsis = f"{names[0]}={action.metavar or action.dest.upper()}"
        out += [".TP", f"\\fB{_groff(synopsis)}\\fR",
                _groff(formatter._get_help_string(action).replace("%%", "%"))]
    return "\n".join(out) + "\n"


class _ManPageAction(argparse.Action):
    """kingpin's --help-man."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: Any = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        sys.stdout.write(man_page(parser))
        parser.exit()


def version_text() -> str:
    """--version, laid out as prometheus/common's version.Print is for node_exporter."""
    return (f"pyexporter, version {__version__} (revision: {buildinfo.revision()})\n"
            f"  node_exporter:    {NODE_EXPORTER_COMPAT} compatible\n"
            f"  python version:   {platform.python_version()}\n"
            f"  platform:         linux/{platform.machine()}")


class _VersionAction(_ManPageAction):
    """--version, printed as it is (argparse's own action would re-wrap the lines)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        sys.stdout.write(version_text() + "\n")
        parser.exit()


#: Where the parser records the flags given on the command line (kingpin's PreAction).
_GIVEN = "_given_flags"


def _record_given(namespace: argparse.Namespace, dest: str) -> None:
    given = getattr(namespace, _GIVEN, None)
    if given is None:
        given = set()
        setattr(namespace, _GIVEN, given)
    given.add(dest)


class _Store(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        setattr(namespace, self.dest, values)
        _record_given(namespace, self.dest)


class _Append(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        setattr(namespace, self.dest, [*(getattr(namespace, self.dest, None) or ()), values])
        _record_given(namespace, self.dest)


class _Bool(argparse.BooleanOptionalAction):
    """--name / --no-name, with the same help text on every Python: 3.10 to 3.12 append
    " (default: ...)" themselves (3.10 even to a suppressed help, which then shows), 3.13 does not."""

    def __init__(self, *args: Any, help: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, help=None, **kwargs)
        if help is not None and help is not argparse.SUPPRESS:
            help += " (default: %(default)s)"
        self.help = help

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        super().__call__(parser, namespace, values, option_string)
        _record_given(namespace, self.dest)


_METAVARS = {Kind.INT: "INT", Kind.DURATION: "DURATION", Kind.REGEX: "REGEX"}


def _add_option(parser: argparse._ActionsContainer, flag: Flag[Any], name: str, hidden: bool,
                default: Any) -> None:
    opt = f"--{name}"
    text = argparse.SUPPRESS if hidden else flag.help
    match flag.kind:
        case Kind.BOOL:
            parser.add_argument(opt, dest=name, action=_Bool, default=default, help=text)
        case Kind.LIST:
            shown = f" (default: {','.join(flag.default)})" if flag.default else ""
            parser.add_argument(opt, dest=name, action=_Append, default=None, metavar="VALUE",
                                help=text if hidden else flag.help + shown)
        case Kind.STRING | Kind.INT | Kind.DURATION | Kind.REGEX:
            choices = flag.choices if isinstance(flag, StringFlag) and flag.choices else None
            metavar = None if choices else flag.metavar or _METAVARS.get(flag.kind, "STRING")
            parser.add_argument(opt, dest=name, action=_Store, default=default, help=text,
                                choices=choices, metavar=metavar)


def _add_flag(parser: argparse._ActionsContainer, flag: Flag[Any]) -> None:
    _add_option(parser, flag, flag.name, flag.hidden, flag.default)
    if flag.alias is not None:
        _add_option(parser, flag, flag.alias.name, True, None)


def _flag_values(flags: Sequence[Flag[Any]], namespace: dict[str, Any],
                 given: frozenset[str]) -> dict[str, Any]:
    """Every flag's (and alias's) value, converted and validated once."""
    values: dict[str, Any] = {}
    for flag in flags:
        raw = namespace.get(flag.name)
        if flag.envar is not None and flag.name not in given and os.environ.get(flag.envar):
            # kingpin's Envar: the environment stands in for a flag not given on the command line.
            raw = os.environ[flag.envar]
        values[flag.name] = convert(flag, raw)
        if flag.alias is not None:
            old = namespace.get(flag.alias.name)
            values[flag.alias.name] = None if old is None else convert(flag, old)
    return values


LISTEN_ADDRESS = ListFlag("web.listen-address",
                          "Addresses on which to expose metrics and web interface. Repeatable.",
                          ("0.0.0.0:20000",))
TELEMETRY_PATH = StringFlag("web.telemetry-path", "Path under which to expose metrics.", "/metrics")
DISABLE_EXPORTER_METRICS = BoolFlag(
    "web.disable-exporter-metrics",
    "Exclude metrics about the exporter itself (process_*, python_*, promhttp_*).")
MAX_REQUESTS = IntFlag("web.max-requests",
                       "Maximum number of parallel scrape requests. Use 0 to disable.", 40)
WEB_CONFIG_FILE = StringFlag("web.config.file",
                             "Path to configuration file that can enable TLS or authentication.")
SYSTEMD_SOCKET = BoolFlag("web.systemd-socket",
                          "Use systemd socket activation listeners instead of port listeners (Linux only).")
# pyexporter only (node_exporter has no bound at all); docs/robustness.md says why these values.
READ_HEADER_TIMEOUT = DurationFlag(
    "web.read-header-timeout",
    "Longest time a client may take to send a request's header, from its first byte (pyexporter).", "10s")
TLS_HANDSHAKE_TIMEOUT = DurationFlag("web.tls-handshake-timeout",
                                     "Longest time a TLS handshake may take (pyexporter).", "10s")
IDLE_TIMEOUT = DurationFlag(
    "web.idle-timeout",
    "How long a keep-alive connection is kept without a request; above Prometheus's own 5m (pyexporter).",
    "6m")
WRITE_TIMEOUT = DurationFlag(
    "web.write-timeout",
    "Longest time a client may take to read a response once it is written (pyexporter).", "1m")
MAX_CONNECTIONS = IntFlag(
    "web.max-connections",
    "Maximum number of simultaneous connections across all listeners; beyond it, the connection "
    "that waited longest on its client is closed (pyexporter).", 512)
GOMAXPROCS = IntFlag("runtime.gomaxprocs", "Accepted for compatibility with node_exporter; has no effect.", 1)
PROCFS = StringFlag("path.procfs", "procfs mountpoint.", "/proc")
SYSFS = StringFlag("path.sysfs", "sysfs mountpoint.", "/sys")
ROOTFS = StringFlag("path.rootfs", "rootfs mountpoint.", "/")
UDEV_DATA = StringFlag("path.udev.data", "udev data path.", "/run/udev/data")
DISABLE_DEFAULTS = BoolFlag("collector.disable-defaults", "Set all collectors to disabled by default.")
# Named with a hyphen, as --collector.disable-defaults: no collector can be called "load-plugins", so
# no --collector.<name> switch ever takes this name (a collector named "plugins" may exist).
LOAD_PLUGINS = BoolFlag(
    "collector.load-plugins", "Load the collectors that installed plugins declare (entry points of the "
    "group pyexporter.collectors); --no-collector.load-plugins runs the built-in collectors only.", True)
COLLECTOR_TIMEOUT = DurationFlag(
    "collector.timeout", "Longest time one collector may take before the scrape is answered without it "
    "(pyexporter; also bounded by X-Prometheus-Scrape-Timeout-Seconds).", "7s")
LOG_LEVEL = StringFlag("log.level", "Only log messages with the given severity or above.", "info",
                       choices=("debug", "info", "warn", "error"))
LOG_FORMAT = StringFlag("log.format", "Output format of log messages.", "logfmt", choices=("logfmt", "json"))

CORE_FLAGS: tuple[Flag[Any], ...] = (
    LISTEN_ADDRESS, TELEMETRY_PATH, DISABLE_EXPORTER_METRICS, MAX_REQUESTS, WEB_CONFIG_FILE, SYSTEMD_SOCKET,
    READ_HEADER_TIMEOUT, TLS_HANDSHAKE_TIMEOUT, IDLE_TIMEOUT, WRITE_TIMEOUT, MAX_CONNECTIONS, GOMAXPROCS,
    PROCFS, SYSFS, ROOTFS, UDEV_DATA, DISABLE_DEFAULTS, COLLECTOR_TIMEOUT, LOG_LEVEL, LOG_FORMAT,
    LOAD_PLUGINS,
)


def _add_switch(parser: argparse._ActionsContainer, reg: Registration) -> None:
    state = "enabled" if reg.default_enabled else "disabled"
    text = f"Enable the {reg.name} collector (default: {state})."
    if reg.problem is not None:
        text += (f" Not loaded: {reg.problem}; enabled, it fails every scrape, and its flags "
                 f"(--collector.{reg.name}.*) are accepted and ignored.").replace("%", "%%")
    parser.add_argument(f"--collector.{reg.name}", dest=f"collector.{reg.name}",
                        action=argparse.BooleanOptionalAction, default=None, help=text)


def build_parser() -> tuple[argparse.ArgumentParser, list[Flag[Any]]]:
    registry = registrations()
    parser = _Parser(
        prog="pyexporter",
        usage="%(prog)s [<flags>]",
        formatter_class=_HelpFormatter,
        description=f"pyexporter {__version__}: node_exporter {NODE_EXPORTER_COMPAT} compatible exporter "
        "for hardware and OS metrics exposed by *NIX kernels.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action=_VersionAction, help="Show application version.")
    # kingpin's other help flags: node_exporter accepts them, and so does any script that calls it.
    parser.add_argument("--help-long", action="help", help=argparse.SUPPRESS)
    parser.add_argument("--help-man", action=_ManPageAction, help=argparse.SUPPRESS)
    flags = list(CORE_FLAGS)
    for flag in CORE_FLAGS:
        _add_flag(parser, flag)
    builtin = [registry[name] for name in sorted(registry) if not registry[name].origin.plugin]
    for reg in builtin:
        _add_switch(parser, reg)
    for flag in sorted(builtin_flags(), key=lambda f: f.name):
        _add_flag(parser, flag)
        flags.append(flag)
    # A plugin's switch and flags under a heading of its own (the loader keeps them off other names).
    for name in sorted(registry):
        reg = registry[name]
        if reg.origin.plugin:
            group = parser.add_argument_group(f"collector {name} ({reg.origin})")
            _add_switch(group, reg)
            for flag in sorted(reg.cls.flags if reg.cls else (), key=lambda f: f.name):
                _add_flag(group, flag)
                flags.append(flag)
    return parser, flags


def _unknown_args(extras: Sequence[str], unavailable: Sequence[str]) -> list[str]:
    """The arguments no flag took, less the flags (and their values) of plugins that are not loaded.

    A command line written for a plugin keeps working while the plugin cannot be loaded: its
    collector then fails every scrape instead of the exporter refusing to start.
    """
    prefixes = tuple(f"--{no}collector.{name}." for name in unavailable for no in ("", "no-"))
    left: list[str] = []
    value_may_follow = False
    for arg in extras:
        if prefixes and arg.startswith(prefixes):
            value_may_follow = "=" not in arg
        elif value_may_follow and not arg.startswith("--"):
            value_may_follow = False
        else:
            value_may_follow = False
            left.append(arg)
    return left


def parse_args(argv: Sequence[str]) -> Settings:
    """Flags -> Settings. Exits 2 on a bad flag; raises ConfigError on a bad value."""
    parser, flags = build_parser()
    registry = registrations()
    namespace, extras = parser.parse_known_args(list(argv))
    unknown = _unknown_args(extras, [name for name, reg in registry.items() if reg.cls is None])
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    ns = vars(namespace)
    given = frozenset(ns.pop(_GIVEN, ()))
    values = _flag_values(flags, ns, given)

    def value(flag: Flag[T]) -> T:
        return flag.read(values, given)

    enabled = []
    for name in sorted(registry):
        explicit = ns.get(f"collector.{name}")
        default = registry[name].default_enabled and not value(DISABLE_DEFAULTS)
        if explicit if explicit is not None else default:
            enabled.append(name)

    telemetry_path = value(TELEMETRY_PATH) or ""
    if not telemetry_path.startswith("/"):
        raise ConfigError(f"--web.telemetry-path must start with '/': {telemetry_path!r}")
    if value(COLLECTOR_TIMEOUT) <= 0:
        raise ConfigError("--collector.timeout must be positive")
    return Settings(
        roots=Roots(value(PROCFS), value(SYSFS), value(ROOTFS), value(UDEV_DATA)),
        listen_addresses=value(LISTEN_ADDRESS),
        telemetry_path=telemetry_path,
        disable_exporter_metrics=value(DISABLE_EXPORTER_METRICS),
        max_requests=value(MAX_REQUESTS),
        web_config_file=value(WEB_CONFIG_FILE),
        collector_timeout=value(COLLECTOR_TIMEOUT),
        enabled_collectors=tuple(enabled),
        flags=MappingProxyType(values),
        given_flags=given,
        log_level=value(LOG_LEVEL) or "info",
        log_format=value(LOG_FORMAT) or "logfmt",
    )


def plugins_wanted(argv: Sequence[str]) -> bool:
    """--[no-]collector.load-plugins, read before the parser exists: plugins bring flags of their own."""
    wanted = LOAD_PLUGINS.default
    for arg in argv:
        if arg in (f"--{LOAD_PLUGINS.name}", f"--no-{LOAD_PLUGINS.name}"):
            wanted = not arg.startswith("--no-")
    return wanted


def main(argv: Sequence[str] | None = None) -> int:
    from pyexporter.loader import load_collectors
    from pyexporter.server import run

    args = sys.argv[1:] if argv is None else list(argv)
    # The collectors register themselves as they load; their flags are parsed with the core ones.
    load_collectors(plugins=plugins_wanted(args))
    try:
        settings = parse_args(args)
    except ConfigError as exc:
        sys.stderr.write(f"pyexporter: error: {exc}\n")
        return 2
    return run(settings)
