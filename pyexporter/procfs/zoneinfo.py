"""/proc/zoneinfo: per node and zone page counts, watermarks and protection."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_int
from pyexporter.golang.strings import go_fields, go_trim_space

# The look-behind keeps the search linear: without it a long run of digits is
# tried from each of its positions (quadratic), where Go's RE2 stays linear.
_NODE_ZONE = re.compile(r"(?<!\d)(\d+), zone[\t\n\f\r ]+(\w+)", re.ASCII)
#: The numeric per-zone keys procfs's Zoneinfo reads; other keys are skipped.
ZONEINFO_KEYS = frozenset((
    "nr_free_pages", "min", "low", "high", "scanned", "spanned", "present", "managed", "nr_active_anon",
    "nr_inactive_anon", "nr_isolated_anon", "nr_anon_pages", "nr_anon_transparent_hugepages",
    "nr_active_file", "nr_inactive_file", "nr_isolated_file", "nr_file_pages", "nr_slab_reclaimable",
    "nr_slab_unreclaimable", "nr_mlock_stack", "nr_kernel_stack", "nr_mapped", "nr_dirty", "nr_writeback",
    "nr_unevictable", "nr_shmem", "nr_dirtied", "nr_written", "numa_hit", "numa_miss", "numa_foreign",
    "numa_interleave", "numa_local", "numa_other",
))


@dataclass(slots=True)
class Zone:
    node: str = ""
    zone: str = ""
    values: dict[str, int] = field(default_factory=dict)
    protection: tuple[int, ...] = ()


def _value(text: str) -> int:
    """procfs' ValueParser: base inferred from the prefix; a value it cannot parse reads 0."""
    try:
        return parse_int(text, 0)
    except ParseError:
        return 0


def _protection(line: str) -> tuple[int, ...] | None:
    """`protection: (0, 2877, 7826)`; None when an entry is not a decimal integer."""
    values = go_trim_space(line.split(":")[1].replace("(", "", 1).replace(")", "", 1))
    try:
        return tuple(parse_int(part) for part in values.split(", "))
    except ParseError:
        return None


def parse_zoneinfo(text: str) -> list[Zone]:
    """One Zone per `Node N, zone NAME` block, as procfs splits the file at "\\nNode".

    Keys of the node's "per-node stats" section land in the block of the zone
    they are printed in (the node's first zone), exactly as in procfs.
    """
    zones: list[Zone] = []
    for block in text.split("\nNode"):
        zone = Zone()
        for line in block.split("\n"):
            match = _NODE_ZONE.search(line)
            if match is not None:
                zone.node, zone.zone = match.group(1), match.group(2)
                continue
            stripped = go_trim_space(line)
            if stripped.startswith("per-node stats"):
                continue
            parts = go_fields(stripped)
            if len(parts) < 2:
                continue
            key = parts[0]
            if key in ZONEINFO_KEYS:
                zone.values[key] = _value(parts[1])
            elif key == "protection:":
                protection = _protection(line)
                if protection is not None:
                    zone.protection = protection
        zones.append(zone)
    return zones
