"""XFS statistics (/proc/fs/xfs/stat, /sys/fs/xfs/<device>/stats/stats): counters by section.

Read as prometheus/procfs v0.21.1 (node_exporter 1.12.1's) ParseStats reads
them: every section's values are unsigned 32-bit numbers, except xpc,
defer_relog and "gc xpc" (64-bit), and the sections procfs decodes must have
the number of values it expects; other sections are checked to be numbers only.
"""

from __future__ import annotations

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint
from pyexporter.golang.strings import go_fields, go_lines

_BTREE_V2 = (15,)
#: Sections procfs decodes, with the numbers of values each may have.
SECTION_SIZES: dict[str, tuple[int, ...]] = {
    "extent_alloc": (4,), "abt": (4,), "blk_map": (7,), "bmbt": (4,), "dir": (4,), "trans": (3,),
    "ig": (7,), "log": (5,), "push_ail": (10,), "xstrat": (2,), "rw": (2,), "attr": (4,), "icluster": (3,),
    # Older kernels do not print the trailing "free" vnode count.
    "vnodes": (7, 8), "buf": (9,), "xpc": (3,), "defer_relog": (1,), "gc xpc": (1,),
    "abtb2": _BTREE_V2, "abtc2": _BTREE_V2, "bmbt2": _BTREE_V2, "ibt2": _BTREE_V2, "fibt2": _BTREE_V2,
    "rmapbt": _BTREE_V2, "refcntbt": _BTREE_V2, "rmapbt_mem": _BTREE_V2, "rcbagbt": _BTREE_V2,
    "rtrmapbt": _BTREE_V2, "rtrmapbt_mem": _BTREE_V2, "rtrefcntbt": _BTREE_V2,
    # Kernels since 5.x print a ninth quota counter (dquot unused).
    "qm": (8, 9), "debug": (1,),
}
#: Sections with a minimum number of values only (Linux 7.0 added them; later kernels may add more).
SECTION_MINIMUM: dict[str, int] = {"zoned": 3, "metafile": 1}
_UINT64_SECTIONS = frozenset({"xpc", "defer_relog", "gc xpc"})


def parse_xfs_stats(text: str) -> dict[str, tuple[int, ...]]:
    """An XFS stats file ("<section> <n> <n> ...") as {section: values}; "gc xpc" is one two-word section."""
    out: dict[str, tuple[int, ...]] = {}
    for line in go_lines(text):
        fields = go_fields(line)
        if len(fields) < 2:
            continue
        section, raw = fields[0], fields[1:]
        if section == "gc" and len(fields) >= 3 and fields[1] == "xpc":
            section, raw = "gc xpc", fields[2:]
        bits = 64 if section in _UINT64_SECTIONS else 32
        try:
            values = tuple(parse_uint(field, 10, bits) for field in raw)
        except ParseError as exc:
            raise ParseError(f"xfs: section {section[:40]!r}: {exc}") from None
        sizes = SECTION_SIZES.get(section)
        if sizes is not None and len(values) not in sizes:
            raise ParseError(f"xfs: section {section!r} has {len(values)} values, expected {sizes}")
        minimum = SECTION_MINIMUM.get(section, 0)
        if len(values) < minimum:
            raise ParseError(f"xfs: section {section!r} has {len(values)} values, {minimum}+ expected")
        out[section] = values
    return out
