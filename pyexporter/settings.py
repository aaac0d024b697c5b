"""The parsed command line, passed explicitly to everything that needs it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from pyexporter.fs import Roots


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
    #: Every collector flag by name (without `--`), defaults filled in.
    flags: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    log_level: str = "info"
    log_format: str = "logfmt"

    def flag(self, name: str) -> Any:
        try:
            return self.flags[name]
        except KeyError:
            raise KeyError(f"unknown flag --{name}") from None
