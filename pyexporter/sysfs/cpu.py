"""CPU lists of /sys/devices/system/cpu (`isolated`, `offline`, ...), as prometheus/procfs parses them."""

from __future__ import annotations

from typing import NamedTuple

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_int
from pyexporter.golang.strings import go_fields, go_trim_space

#: A cpu range list naming more CPUs than this is garbage, not a machine.
MAX_CPUS = 1 << 16


def parse_cpu_list(text: str) -> list[int]:
    """A kernel CPU list such as `1,3-5,9` (procfs parseCPURange); an empty list for an empty file.

    Numbers are strconv.Atoi's, kept as uint16 as procfs keeps them.
    """
    cpus: list[int] = []
    for part in text.rstrip("\n").split(","):
        if part == "":
            continue
        if "-" in part:
            bounds = part.split("-")
            if len(bounds) != 2:
                raise ParseError(f"invalid cpu range: {part[:40]!r}")
            start, end = parse_int(bounds[0]), parse_int(bounds[1])
            if end - start >= MAX_CPUS:
                raise ParseError(f"cpu range too large: {part[:40]!r}")
            cpus.extend(n & 0xFFFF for n in range(start, end + 1))
        else:
            cpus.append(parse_int(part) & 0xFFFF)
    return cpus


#: procfs's state prefixes (matched case-insensitively) in the order it tries them.
STATES = ("not affected", "vulnerable", "mitigation", "unknown")


class Vulnerability(NamedTuple):
    codename: str
    state: str
    mitigation: str


def parse_vulnerability(codename: str, text: str) -> Vulnerability:
    """One vulnerabilities/<codename> file."""
    raw = go_trim_space(text)
    lowered = raw.lower()
    for state in STATES:
        if lowered.startswith(state):
            if state == "not affected":
                return Vulnerability(codename, state, "")
            return Vulnerability(codename, state, " ".join(go_fields(raw)[1:]))
    return Vulnerability(codename, "unknown", raw)
