"""sysctl: chosen /proc/sys values as node_sysctl_* (numbers) or node_sysctl_info (strings)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.flags import ListFlag
from pyexporter.fs import read_file
from pyexporter.metrics import NAMESPACE, UNTYPED, Desc, MetricFamily, gauge, sanitize_metric_name
from pyexporter.procfs.sys import parse_sysctl_ints, sysctl_fields
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


@dataclass(frozen=True, slots=True)
class Sysctl:
    """One --collector.sysctl.include[-info] value: `name` or `name:key0,key1,...`."""

    name: str
    numeric: bool
    keys: tuple[str, ...] = ()

    @classmethod
    def from_flag(cls, value: str, numeric: bool) -> Sysctl:
        name, sep, keys = value.partition(":")
        return cls(name, numeric, tuple(keys.split(",")) if sep else ())

    @property
    def metric_name(self) -> str:
        return f"{NAMESPACE}_sysctl_{sanitize_metric_name(self.name)}"


INCLUDE = ListFlag("collector.sysctl.include", "Select sysctl metrics to include")
INCLUDE_INFO = ListFlag("collector.sysctl.include-info", "Select sysctl metrics to include as info metrics")


@register
class SysctlCollector(Collector):
    name = "sysctl"
    default_enabled = False
    flags = (INCLUDE, INCLUDE_INFO)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.sysctls = tuple(
            [Sysctl.from_flag(value, True) for value in settings[INCLUDE]]
            + [Sysctl.from_flag(value, False) for value in settings[INCLUDE_INFO]]
        )
        self.info = gauge(f"{NAMESPACE}_sysctl_info", "sysctl info", "name", "value", "index")
        self.descs: dict[tuple[str, str, tuple[str, ...]], Desc] = {}

    def _desc(self, name: str, help_text: str, *label_names: str) -> Desc:
        """Descriptors of numeric sysctls, made on first use (a name may be refused then)."""
        key = (name, help_text, label_names)
        desc = self.descs.get(key)
        if desc is None:
            desc = self.descs[key] = Desc(_checked(name), help_text, UNTYPED, label_names)
        return desc

    def _read(self, sysctl: Sysctl) -> list[str]:
        path = self.roots.proc("sys", sysctl.name.replace(".", "/"))
        return sysctl_fields(read_file(path))

    def _metrics(self, sysctl: Sysctl) -> list[MetricFamily]:
        values = self._read(sysctl)
        if not values:
            raise ParseError(f"sysctl {sysctl.name} has no values")
        numbers = parse_sysctl_ints(values, sysctl.name) if sysctl.numeric else []
        help_text = f"sysctl {sysctl.name}"
        if len(values) == 1:
            if sysctl.keys:
                raise ParseError(f"sysctl {sysctl.name} has only one value, but expected {list(sysctl.keys)}")
            if sysctl.numeric:
                return [self._desc(sysctl.metric_name, help_text).one(numbers[0])]
            return [self.info.one(1.0, sysctl.name, values[0], "0")]
        if not sysctl.keys:
            if sysctl.numeric:
                family = self._desc(sysctl.metric_name, help_text, "index").family()
                for index, number in enumerate(numbers):
                    family.add(number, str(index))
                return [family]
            family = self.info.family()
            for index, value in enumerate(values):
                family.add(1.0, sysctl.name, value, str(index))
            return [family]
        if len(values) != len(sysctl.keys):
            raise ParseError(
                f"sysctl {sysctl.name} has {len(values)} keys but only {len(sysctl.keys)} defined in f lag"
            )
        if not sysctl.numeric:
            raise ParseError("mapped sysctl string values not supported")
        return [
            self._desc(f"{sysctl.metric_name}_{key}", f"sysctl {sysctl.name}, field {index}").one(number)
            for index, (key, number) in enumerate(zip(sysctl.keys, numbers, strict=True))
        ]

    def collect(self) -> Iterator[MetricFamily]:
        # Each sysctl's metrics are sent before the next is read, as node_exporter does.
        for sysctl in self.sysctls:
            yield from self._metrics(sysctl)


def _checked(name: str) -> str:
    """A mapped key is used as given; a name Prometheus refuses fails the scrape, not the server."""
    if not _METRIC_NAME.fullmatch(name):
        raise ParseError(f"invalid sysctl metric name {name!r}")
    return name
