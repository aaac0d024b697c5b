"""/sys/fs/bcachefs/<uuid>: compression_stats, errors, counters, btree_write_stats; io_done, io_errors.

Sizes there are human-readable ("2.05G"), read as bcachefs prints them.
"""

from __future__ import annotations

import math

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_float, parse_uint

_MULTIPLIERS = {"k": 1024.0, "m": 1024.0**2, "g": 1024.0**3, "t": 1024.0**4, "p": 1024.0**5, "e": 1024.0**6}


def parse_human_bytes(text: str) -> int:
    """A bcachefs size: "2.05G" -> 2201170739, "720" -> 720."""
    text = text.strip()
    if not text:
        raise ParseError("bcachefs: empty size")
    multiplier = _MULTIPLIERS.get(text[-1].lower())
    if multiplier is None:
        multiplier = 1.0
    else:
        text = text[:-1].strip()
    value = parse_float(text)
    product = value * multiplier
    if math.isnan(product) or product < 0 or product >= 2.0**64:
        raise ParseError(f"bcachefs: {text[:40]!r} is out of range")
    return int(product)


def parse_compression_stats(text: str) -> dict[str, tuple[int, int]]:
    """compression_stats: {algorithm: (compressed bytes, uncompressed bytes)} after the header line."""
    out: dict[str, tuple[int, int]] = {}
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 3:
            continue
        compressed, uncompressed = parse_human_bytes(fields[1]), parse_human_bytes(fields[2])
        if len(fields) >= 4:
            parse_human_bytes(fields[3])  # average extent size: validated, not exported
        out[fields[0].removesuffix(":")] = (compressed, uncompressed)
    return out


def parse_errors(text: str) -> dict[str, int]:
    """errors: {error type: count}; lines are "<type> <count> [<last time>]"."""
    out: dict[str, int] = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 2:
            continue
        count = parse_uint(fields[1])
        if len(fields) >= 3:
            parse_uint(fields[2])
        out[fields[0]] = count
    return out


def parse_counter(text: str) -> int:
    """A counters/<name> file: the "since filesystem creation" value (0 when only "since mount")."""
    creation: int | None = None
    seen = False
    for line in text.splitlines():
        if line.startswith("since mount:"):
            parse_human_bytes(line[len("since mount:"):])
            seen = True
        elif line.startswith("since filesystem creation:"):
            creation = parse_human_bytes(line[len("since filesystem creation:"):])
            seen = True
    if not seen:
        raise ParseError("bcachefs: counter file format not recognized")
    return creation or 0


def parse_btree_write_stats(text: str) -> dict[str, tuple[int, int]]:
    """btree_write_stats: {write type: (count, average size bytes)} after the header line."""
    out: dict[str, tuple[int, int]] = {}
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 3:
            continue
        out[fields[0].removesuffix(":")] = (parse_uint(fields[1]), parse_human_bytes(fields[2]))
    return out


def parse_io_done(text: str) -> dict[str, dict[str, int]]:
    """A device's io_done: {"read"|"write": {data type: bytes}}."""
    out: dict[str, dict[str, int]] = {}
    operation = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line in ("read:", "write:"):
            operation = line[:-1]
            out.setdefault(operation, {})
            continue
        if not operation or ":" not in line:
            continue
        data_type, value = line.split(":", 1)
        out[operation][data_type.strip()] = parse_uint(value.strip())
    return out


def parse_io_errors(text: str) -> dict[str, int]:
    """A device's io_errors: {error type: count} of the "since filesystem creation" section."""
    out: dict[str, int] = {}
    in_creation = False
    for line in text.splitlines():
        if line.startswith("IO errors since filesystem creation"):
            in_creation = True
            continue
        if line.startswith("IO errors since "):
            break
        if not in_creation:
            continue
        trimmed = line.strip()
        if not trimmed or ":" not in trimmed:
            continue
        error_type, value = trimmed.split(":", 1)
        out[error_type.strip()] = parse_uint(value.strip())
    return out
