"""bcache's sysfs files: human-readable sizes, writeback_rate_debug and priority_stats."""

from __future__ import annotations

import math
from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_float, parse_int, parse_uint

#: bch_hprint's unit suffixes (powers of 1024).
_MULTIPLIERS = {c: float(1 << (10 * (i + 1))) for i, c in enumerate("kMGTPEZY")}


def parse_pseudo_float(text: str) -> float:
    """bch_hprint's "<int>.<tenths of 1024>" as procfs reads it: "1.1" is 1 + 1/10.24."""
    parts = text.split(".")
    whole = parse_float(parts[0])
    if len(parts) == 1:
        return whole
    return whole + parse_float(parts[1]) / 10.24


def dehumanize(text: str) -> int:
    """A bch_hprint value in bytes (or a plain count): "1.1M" -> 1150976, "512" -> 512."""
    if not text:
        raise ParseError("bcache: empty value")
    last = text[-1]
    if ord(last) > ord("9"):
        # procfs looks the suffix up in a map: an unknown suffix multiplies by zero.
        value = parse_pseudo_float(text[:-1]) * _MULTIPLIERS.get(last, 0.0)
    else:
        value = parse_float(text)
    if math.isnan(value) or value < 0 or value >= 2.0**64:
        raise ParseError(f"bcache: {text[:40]!r} is out of range")
    return int(value)


def dehumanize_signed(text: str) -> int:
    """Like `dehumanize`, for the controller terms that go negative ("-1.2k")."""
    if text.startswith("-"):
        return -dehumanize(text[1:])
    return dehumanize(text)


@dataclass(frozen=True, slots=True)
class WritebackRateDebug:
    rate: int = 0
    dirty: int = 0
    target: int = 0
    proportional: int = 0
    integral: int = 0
    change: int = 0
    next_io_ms: int = 0


def parse_writeback_rate_debug(text: str) -> WritebackRateDebug:
    """A backing device's writeback_rate_debug ("rate: 1.1M/sec", "target: 20.4G", ...)."""
    values: dict[str, int] = {}
    for line in text.splitlines():
        fields = line.split()
        if not fields:
            continue
        last = fields[-1]
        if line.startswith("rate:"):
            values["rate"] = dehumanize(last.removesuffix("/sec"))
        elif line.startswith("dirty:"):
            values["dirty"] = dehumanize(last)
        elif line.startswith("target:"):
            values["target"] = dehumanize(last)
        elif line.startswith("proportional:"):
            values["proportional"] = dehumanize_signed(last)
        elif line.startswith("integral:"):
            values["integral"] = dehumanize_signed(last)
        elif line.startswith("change:"):
            values["change"] = dehumanize_signed(last.removesuffix("/sec"))
        elif line.startswith("next io:"):
            values["next_io_ms"] = parse_int(last.removesuffix("ms"))
    return WritebackRateDebug(**values)


def parse_priority_stats(text: str) -> tuple[int, int]:
    """(unused %, metadata %) from a cache device's priority_stats."""
    unused = metadata = 0
    for line in text.splitlines():
        if not line.startswith(("Unused:", "Metadata:")):
            continue
        value = parse_uint(line.split()[-1].removesuffix("%"))
        if line.startswith("Unused:"):
            unused = value
        else:
            metadata = value
    return unused, metadata
