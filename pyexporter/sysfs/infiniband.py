"""/sys/class/infiniband/<device>/ports/<port>: state, rate and counters."""

from __future__ import annotations

import math
import struct

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_float, parse_uint
from pyexporter.golang.strings import go_trim_space
from pyexporter.sysfs.attrs import uint_or_none


def parse_port_state(text: str) -> int:
    """The id of a state/phys_state attribute: "4: ACTIVE" -> 4."""
    parts = text.split(":")
    if len(parts) != 2:
        raise ParseError(f"infiniband state {text[:40]!r} is not 'ID: NAME'")
    return parse_uint(go_trim_space(parts[0]), 10, 32)


def parse_rate(text: str) -> int:
    """A port's rate attribute in bytes/second: "100 Gb/sec (4X EDR)" -> 12500000000.

    Like procfs, the Gb/s figure is parsed at float32 precision before the
    conversion (1 Gb/s = 125000000 bytes/s) and truncated.
    """
    parts = text.split(" ", 1)
    if len(parts) != 2:
        raise ParseError(f"infiniband rate {text[:40]!r} has no unit")
    number = go_trim_space(parts[0])
    value = parse_float(number)
    if math.isinf(value) or math.isnan(value) or value < 0:
        raise ParseError(f"infiniband rate {number[:40]!r} is not a rate")
    try:
        single = struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        raise ParseError(f"infiniband rate {number[:40]!r} is out of range") from None
    rate = single * 125000000
    if rate >= 2.0**64:
        raise ParseError(f"infiniband rate {number[:40]!r} is out of range")
    return int(rate)


def parse_counter(text: str) -> int | None:
    """A counter attribute; None for "N/A (no PMA)" and other values that are no number."""
    return uint_or_none(go_trim_space(text), 0)
