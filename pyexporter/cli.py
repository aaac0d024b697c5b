"""Command line: node_exporter's flags, parsed into a frozen `Settings`."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from types import MappingProxyType
from typing import Any, NoReturn

from pyexporter import NODE_EXPORTER_COMPAT, __version__
from pyexporter.errors import ConfigError, ParseError
from pyexporter.fs import Roots
from pyexporter.golang.duration import parse_go_duration
from pyexporter.registry import Flag, all_flags, load_collectors
from pyexporter.settings import Settings


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


def _convert(flag: Flag, raw: Any) -> Any:
    if flag.kind == "bool" or raw is None:
        return raw
    if flag.kind == "list":
        return tuple(raw)
    if flag.kind == "int":
        return int(raw)
    if flag.kind == "float":
        return float(raw)
    if flag.kind == "duration":
        # kingpin's time.ParseDuration, plus Prometheus's d/w/y; a timeout is never negative.
        return parse_go_duration(raw, long_units=True, negative=False) if isinstance(raw, str) else float(raw)
    if flag.kind == "regex":
        try:
            re.compile(raw)
        except re.error as exc:
            raise ConfigError(f"--{flag.name}: invalid regular expression {raw!r}: {exc}") from None
    return raw


_METAVARS = {"int": "INT", "float": "FLOAT", "duration": "DURATION", "regex": "REGEX"}


def _add_flag(parser: argparse.ArgumentParser, flag: Flag) -> None:
    opt = f"--{flag.name}"
    text = argparse.SUPPRESS if flag.hidden else flag.help
    if flag.kind == "bool":
        parser.add_argument(
            opt, dest=flag.name, action=argparse.BooleanOptionalAction, default=flag.default, help=text
        )
    elif flag.kind == "list":
        shown = f" (default: {','.join(flag.default)})" if flag.default else ""
        parser.add_argument(opt, dest=flag.name, action="append", default=None, metavar="VALUE",
                            help=text if flag.hidden else flag.help + shown)
    else:
        parser.add_argument(
            opt, dest=flag.name, default=flag.default, help=text, choices=flag.choices or None,
            metavar=None if flag.choices else _METAVARS.get(flag.kind, "STRING"),
        )


CORE_FLAGS: tuple[Flag, ...] = (
    Flag("web.listen-address", "Addresses on which to expose metrics and web interface. Repeatable.",
         ("0.0.0.0:20000",), "list"),
    Flag("web.telemetry-path", "Path under which to expose metrics.", "/metrics"),
    Flag("web.disable-exporter-metrics",
         "Exclude metrics about the exporter itself (process_*, python_*, promhttp_*).", False, "bool"),
    Flag("web.max-requests",
         "Maximum number of parallel scrape requests. Use 0 to disable.", 40, "int"),
    Flag("web.config.file", "Path to configuration file that can enable TLS or authentication.", None),
    Flag("web.systemd-socket", "Use systemd socket activation listeners (not supported; accepted).",
         False, "bool"),
    Flag("runtime.gomaxprocs", "Accepted for compatibility with node_exporter; has no effect.", 1, "int"),
    Flag("path.procfs", "procfs mountpoint.", "/proc"),
    Flag("path.sysfs", "sysfs mountpoint.", "/sys"),
    Flag("path.rootfs", "rootfs mountpoint.", "/"),
    Flag("path.udev.data", "udev data path.", "/run/udev/data"),
    Flag("collector.disable-defaults", "Set all collectors to disabled by default.", False, "bool"),
    Flag("collector.timeout",
         "Longest time one collector may take before the scrape is answered without it "
         "(pyexporter; also bounded by X-Prometheus-Scrape-Timeout-Seconds).", "7s", "duration"),
    Flag("log.level", "Only log messages with the given severity or above.", "info", "string",
         ("debug", "info", "warn", "error")),
    Flag("log.format", "Output format of log messages.", "logfmt", "string", ("logfmt", "json")),
)


def build_parser() -> tuple[argparse.ArgumentParser, list[Flag]]:
    registry = load_collectors()
    parser = _Parser(
        prog="pyexporter",
        usage="%(prog)s [<flags>]",
        formatter_class=_HelpFormatter,
        description=f"pyexporter {__version__}: node_exporter {NODE_EXPORTER_COMPAT} compatible exporter "
        "for hardware and OS metrics exposed by *NIX kernels.",
        allow_abbrev=False,
    )
    parser.add_argument(
        "--version", action="version",
        version=f"pyexporter, version {__version__} (node_exporter {NODE_EXPORTER_COMPAT} compatible)",
    )
    # kingpin's other help flags: node_exporter accepts them, and so does any script that calls it.
    parser.add_argument("--help-long", action="help", help=argparse.SUPPRESS)
    parser.add_argument("--help-man", action=_ManPageAction, help=argparse.SUPPRESS)
    flags = list(CORE_FLAGS)
    for flag in CORE_FLAGS:
        _add_flag(parser, flag)
    for name in sorted(registry):
        cls = registry[name]
        state = "enabled" if cls.default_enabled else "disabled"
        parser.add_argument(
            f"--collector.{name}", dest=f"collector.{name}", action=argparse.BooleanOptionalAction,
            default=None, help=f"Enable the {name} collector (default: {state}).",
        )
    for flag in sorted(all_flags(), key=lambda f: f.name):
        _add_flag(parser, flag)
        flags.append(flag)
    return parser, flags


def parse_args(argv: Sequence[str]) -> Settings:
    """Flags -> Settings. Exits 2 on a bad flag; raises ConfigError on a bad value."""
    parser, flags = build_parser()
    ns = vars(parser.parse_args(list(argv)))
    values: dict[str, Any] = {}
    for flag in flags:
        raw = ns.get(flag.name)
        if flag.kind == "list" and raw is None:
            raw = flag.default or ()
        try:
            values[flag.name] = _convert(flag, raw)
        except (ValueError, ParseError) as exc:
            raise ConfigError(f"--{flag.name}: {exc}") from None

    registry = load_collectors()
    enabled = []
    for name in sorted(registry):
        explicit = ns.get(f"collector.{name}")
        default = registry[name].default_enabled and not values["collector.disable-defaults"]
        if explicit if explicit is not None else default:
            enabled.append(name)

    telemetry_path = values["web.telemetry-path"]
    if not telemetry_path.startswith("/"):
        raise ConfigError(f"--web.telemetry-path must start with '/': {telemetry_path!r}")
    if values["collector.timeout"] <= 0:
        raise ConfigError("--collector.timeout must be positive")
    return Settings(
        roots=Roots(values["path.procfs"], values["path.sysfs"], values["path.rootfs"],
                    values["path.udev.data"]),
        listen_addresses=tuple(values["web.listen-address"]),
        telemetry_path=telemetry_path,
        disable_exporter_metrics=values["web.disable-exporter-metrics"],
        max_requests=values["web.max-requests"],
        web_config_file=values["web.config.file"],
        collector_timeout=values["collector.timeout"],
        enabled_collectors=tuple(enabled),
        flags=MappingProxyType(values),
        log_level=values["log.level"],
        log_format=values["log.format"],
    )


def main(argv: Sequence[str] | None = None) -> int:
    from pyexporter.server import run

    try:
        settings = parse_args(sys.argv[1:] if argv is None else argv)
    except ConfigError as exc:
        sys.stderr.write(f"pyexporter: error: {exc}\n")
        return 2
    return run(settings)
