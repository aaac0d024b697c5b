"""Include/exclude filters built once from flags, as node_exporter's deviceFilter."""

from __future__ import annotations

import re

from pyexporter.errors import ConfigError


class DeviceFilter:
    """`ignored(name)` is true when the exclude pattern matches or the include pattern does not.

    Patterns are searched (Go's MatchString), not anchored; an empty pattern is unset.
    """

    __slots__ = ("exclude", "include")

    def __init__(self, exclude: str | None = None, include: str | None = None) -> None:
        try:
            self.exclude = re.compile(exclude) if exclude else None
            self.include = re.compile(include) if include else None
        except re.error as exc:
            raise ConfigError(f"invalid regular expression: {exc}") from None

    @classmethod
    def exclusive(cls, exclude: str | None, include: str | None, what: str) -> DeviceFilter:
        """node_exporter refuses both flags at once for most collectors."""
        if exclude and include:
            raise ConfigError(f"{what}-exclude and {what}-include are mutually exclusive")
        return cls(exclude, include)

    def ignored(self, name: str) -> bool:
        if self.exclude is not None and self.exclude.search(name):
            return True
        return self.include is not None and not self.include.search(name)
