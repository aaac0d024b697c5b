"""/proc/softirqs: per-CPU counts of each softirq vector."""

from __future__ import annotations

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint
from pyexporter.golang.strings import go_fields, go_lines

#: The vectors procfs knows, in its order; other rows are ignored.
SOFTIRQ_TYPES = ("HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU")
_ROW_NAMES = {f"{name}:": name for name in SOFTIRQ_TYPES}


def parse_softirqs(text: str) -> dict[str, list[int]]:
    """Per-CPU counts of each known vector; the first line (CPU names) is not read."""
    all_lines = go_lines(text)
    if not all_lines:
        raise ParseError("softirqs empty")
    out: dict[str, list[int]] = {}
    for line in all_lines[1:]:
        parts = go_fields(line)
        if len(parts) < 2:
            continue
        name = _ROW_NAMES.get(parts[0])
        if name is not None:
            out[name] = [parse_uint(count) for count in parts[1:]]
    return out
