"""tracefs (/sys/kernel/tracing, or tracing/ below debugfs): a tracepoint's id file."""

from __future__ import annotations

from pyexporter.errors import ParseError


def parse_tracepoint_id(text: str) -> int:
    """A tracepoint's events/<subsystem>/<event>/id file: its first line, an unsigned decimal."""
    first = text.split("\n", 1)[0]
    if not first.isascii() or not first.isdigit():
        raise ParseError(f"tracepoint id {first!r:.40} is not a number")
    digits = first.lstrip("0") or "0"
    if len(digits) > 20:
        raise ParseError(f"tracepoint id {first!r:.40} is out of range")
    value = int(digits)
    if value >= 1 << 64:
        raise ParseError(f"tracepoint id {first!r:.40} is out of range")
    return value
