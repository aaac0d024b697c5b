"""Command-line flags, declared once and read through their declaration.

Whoever reads a flag declares it, once, as a module constant of one of the kinds below (a
collector lists its flags in its `flags`), and reads its value through that object:
`settings[FLAG]`, typed by the kind. The parser (pyexporter.cli) converts and validates every
value once at start (a regular expression arrives compiled; a bad value is a one-line error,
exit 2) and records which flags were given on the command line: `settings.given(FLAG)` tells
"set to its default" from "not set" where node_exporter tells them apart (kingpin's PreAction).

Options of a declaration: `hidden` (accepted, left out of --help, as kingpin's Hidden()),
`alias` (a deprecated second name, see DeprecatedAlias), `envar` (an environment variable that
stands in for a flag not given, as kingpin's Envar()) and `metavar` (the value's placeholder in
--help where it is not the kind's, as kingpin's PlaceHolder()).
"""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from pyexporter.errors import ConfigError, ParseError
from pyexporter.golang.duration import parse_go_duration

log = logging.getLogger(__name__)

T = TypeVar("T")


class Kind(enum.Enum):
    """The closed set of flag kinds the parser knows; each has one class below."""

    BOOL = "bool"
    STRING = "string"
    INT = "int"
    DURATION = "duration"
    REGEX = "regex"
    LIST = "list"


class SetWhen(enum.Enum):
    """When node_exporter counts a flag as set, so that its deprecated alias beside it is an error."""

    #: Given on the command line, even at its default value (a kingpin PreAction sets a variable).
    GIVEN = "given"
    #: Its value is not empty (node_exporter compares the value with "").
    NON_EMPTY = "non-empty"


@dataclass(frozen=True, slots=True)
class DeprecatedAlias:
    """An old name of a flag, hidden from --help, as node_exporter keeps them until 2.0.

    Given (and not empty), the alias stands in for the flag with a warning, unless the flag itself
    is set (`set_when`), which is a configuration error: "--<alias> and --<flag> are mutually
    exclusive". Resolved when the flag is read, so only enabled collectors complain.
    """

    name: str
    set_when: SetWhen


@dataclass(frozen=True)
class Flag(Generic[T]):
    """A flag named as node_exporter names it (without the leading `--`).

    `default` is what kingpin's Default() takes and --help shows (a duration as text, a regular
    expression as its pattern); None for a flag without one.
    """

    name: str
    help: str
    default: Any = None
    hidden: bool = False
    alias: DeprecatedAlias | None = None
    envar: str | None = None
    metavar: str | None = None

    kind: ClassVar[Kind]

    def convert(self, raw: Any) -> T:
        """The value of the flag from the parser's raw value (text, or the default as declared)."""
        raise NotImplementedError

    def is_empty(self, value: T) -> bool:
        return not value

    def read(self, values: Mapping[str, Any], given: frozenset[str]) -> T:
        """The flag's value among parsed `values`, its deprecated alias resolved."""
        try:
            value = values[self.name]
        except KeyError:
            raise KeyError(f"unknown flag --{self.name}") from None
        alias = self.alias
        if alias is None:
            return value
        old = values.get(alias.name)
        if old is None or self.is_empty(old):
            return value
        set_already = self.name in given if alias.set_when is SetWhen.GIVEN else not self.is_empty(value)
        if set_already:
            raise ConfigError(f"--{alias.name} and --{self.name} are mutually exclusive")
        log.warning("--%s is DEPRECATED and will be removed in 2.0.0, use --%s", alias.name, self.name)
        return old


@dataclass(frozen=True)
class BoolFlag(Flag[bool]):
    """--name / --no-name."""

    default: bool = False
    kind: ClassVar[Kind] = Kind.BOOL

    def convert(self, raw: Any) -> bool:
        return bool(raw)


@dataclass(frozen=True)
class StringFlag(Flag["str | None"]):
    """Text; `choices` limits it to those values."""

    choices: tuple[str, ...] = ()
    kind: ClassVar[Kind] = Kind.STRING

    def convert(self, raw: Any) -> str | None:
        return None if raw is None else str(raw)


@dataclass(frozen=True)
class IntFlag(Flag[int]):
    kind: ClassVar[Kind] = Kind.INT

    def convert(self, raw: Any) -> int:
        return int(raw)


@dataclass(frozen=True)
class DurationFlag(Flag[float]):
    """A Go duration (`5s`, `1m30s`, also Prometheus's d/w/y), in seconds; never negative."""

    kind: ClassVar[Kind] = Kind.DURATION

    def convert(self, raw: Any) -> float:
        return parse_go_duration(raw, long_units=True, negative=False) if isinstance(raw, str) else float(raw)


@dataclass(frozen=True)
class RegexFlag(Flag["re.Pattern[str] | None"]):
    """A regular expression, compiled once at start; None when the flag has no value.

    An empty pattern counts as empty, as node_exporter compares the flag's text with "".
    """

    kind: ClassVar[Kind] = Kind.REGEX

    def convert(self, raw: Any) -> re.Pattern[str] | None:
        if raw is None:
            return None
        try:
            return re.compile(raw)
        except re.error as exc:
            raise ConfigError(f"--{self.name}: invalid regular expression {raw!r}: {exc}") from None

    def is_empty(self, value: re.Pattern[str] | None) -> bool:
        return value is None or not value.pattern


@dataclass(frozen=True)
class ListFlag(Flag["tuple[str, ...]"]):
    """A repeatable flag: every value given, in order, or the default's."""

    default: tuple[str, ...] = ()
    kind: ClassVar[Kind] = Kind.LIST

    def convert(self, raw: Any) -> tuple[str, ...]:
        return tuple(raw if raw is not None else self.default)


def convert(flag: Flag[Any], raw: Any) -> Any:
    """A flag's value from the command line, or a one-line ConfigError naming it."""
    try:
        return flag.convert(raw)
    except ConfigError:
        raise
    except (ValueError, ParseError) as exc:
        raise ConfigError(f"--{flag.name}: {exc}") from None


def unique(flags: Sequence[Flag[Any]]) -> list[Flag[Any]]:
    """`flags` without repeats; one name declared twice differently is a bug in a declaration."""
    seen: dict[str, Flag[Any]] = {}
    for flag in flags:
        names = [flag.name] + ([flag.alias.name] if flag.alias else [])
        for name in names:
            other = seen.get(name)
            if other is not None and other != flag:
                raise TypeError(f"flag --{name} declared twice with different definitions")
        for name in names:
            seen[name] = flag
    return list(dict.fromkeys(seen.values()))
