"""time.ParseDuration, and Prometheus's model.Duration units, for flags and the web config."""

from __future__ import annotations

import re

from pyexporter.errors import ParseError

__all__ = ["parse_go_duration"]

# Linear on a long run of digits without a unit: the fraction needs its dot, so a
# failed match backtracks once over the digits.
_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h|d|w|y)")
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0,
                   "h": 3600.0}
#: Prometheus's longer units (model.Duration), beyond Go's.
_LONG_DURATION_UNITS = {"d": 86400.0, "w": 604800.0, "y": 31536000.0}


def parse_go_duration(text: str, *, long_units: bool = False, negative: bool = True) -> float:
    """time.ParseDuration (`1s`, `1m30s`, `1.5h`, `.5s`, `-2ms`, `0`) in seconds.

    `long_units` also takes Prometheus's d, w and y; `negative=False` refuses
    a leading minus (the command line's timeouts).
    """
    body = text
    sign = 1.0
    if body[:1] in ("-", "+"):
        if body[0] == "-":
            if not negative:
                raise ParseError(f"negative duration {text[:40]!r}")
            sign = -1.0
        body = body[1:]
    if body == "0":
        return 0.0
    if not body:
        raise ParseError(f"invalid duration {text[:40]!r}")
    units, names = (_DURATION_UNITS | _LONG_DURATION_UNITS, "ns, us, ms, s, m, h, d, w, y") if long_units \
        else (_DURATION_UNITS, "ns, us, ms, s, m, h")
    total = 0.0
    pos = 0
    while pos < len(body):
        match = _DURATION_PART.match(body, pos)
        if match is None or match.group(2) not in units or not any(c.isdigit() for c in match.group(1)):
            if match is None and body[pos:].rstrip("0123456789.") == "":
                raise ParseError(f"missing unit in duration {text[:40]!r}")
            raise ParseError(f"invalid duration {text[:40]!r} (units: {names})")
        total += float(match.group(1)) * units[match.group(2)]
        pos = match.end()
    return sign * total
