"""The parsed command line, passed explicitly to everything that needs it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from pyexporter.fs import Roots

if TYPE_CHECKING:
    from pyexporter.flags import Flag

T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    roots: Roots = field(default_factory=Roots)
    listen_addresses: tuple[str, ...] = ("0.0.0.0:20000",)
    telemetry_path: str = "/metrics"
    disable_exporter_metrics: bool = False
    max_requests: int = 40
    web_config_file: str | None = None
    #: Seconds one collector may run before its scrape goes on without it.
    collector_timeout: float = 7.0
    enabled_collectors: tuple[str, ...] = ()
    #: Every flag's value by name (without `--`), converted, defaults filled in; read through the
    #: flag's declaration: settings[FLAG].
    flags: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    #: The names of the flags given on the command line.
    given_flags: frozenset[str] = frozenset()
    log_level: str = "info"
    log_format: str = "logfmt"

    def __getitem__(self, flag: Flag[T]) -> T:
        """The value of a declared flag (its deprecated alias resolved)."""
        return flag.read(self.flags, self.given_flags)

    def given(self, flag: Flag[Any]) -> bool:
        """Whether the flag was on the command line, even at its default value."""
        return flag.name in self.given_flags
