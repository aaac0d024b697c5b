"""Include/exclude filters built once from flags, as node_exporter's deviceFilter."""

from __future__ import annotations

import re

from pyexporter.errors import ConfigError

Pattern = re.Pattern[str]


def _set(pattern: Pattern | None) -> Pattern | None:
    """The pattern, or None for a flag without a value or with an empty one (node_exporter's "")."""
    return pattern if pattern is not None and pattern.pattern else None


class DeviceFilter:
    """`ignored(name)` is true when the exclude pattern matches or the include pattern does not.

    Patterns (as RegexFlag values arrive: compiled, or None) are searched (Go's MatchString), not
    anchored; an empty pattern is unset.
    """

    __slots__ = ("exclude", "include")

    def __init__(self, exclude: Pattern | None = None, include: Pattern | None = None) -> None:
        self.exclude = _set(exclude)
        self.include = _set(include)

    @classmethod
    def exclusive(cls, exclude: Pattern | None, include: Pattern | None, what: str) -> DeviceFilter:
        """node_exporter refuses both flags at once for most collectors."""
        if _set(exclude) and _set(include):
            raise ConfigError(f"{what}-exclude and {what}-include are mutually exclusive")
        return cls(exclude, include)

    def ignored(self, name: str) -> bool:
        if self.exclude is not None and self.exclude.search(name):
            return True
        return self.include is not None and not self.include.search(name)
