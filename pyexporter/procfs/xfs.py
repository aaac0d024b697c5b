"""XFS statistics (/proc/fs/xfs/stat, /sys/fs/xfs/<device>/stats/stats): counters by section."""

from __future__ import annotations

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint

#: Sections procfs decodes, with the number of values each must have. Other
#: sections (push_ail, xstrat, abtb2, ..., debug) are checked to be numbers only.
SECTION_SIZES: dict[str, tuple[int, ...]] = {
    "extent_alloc": (4,), "abt": (4,), "blk_map": (7,), "bmbt": (4,), "dir": (4,), "trans": (3,),
    "ig": (7,), "log": (5,), "rw": (2,), "attr": (4,), "icluster": (3,),
    # Older kernels do not print the trailing "free" vnode count.
    "vnodes": (7, 8), "buf": (9,), "xpc": (3,),
}


def parse_xfs_stats(text: str) -> dict[str, tuple[int, ...]]:
    """An XFS stats file ("<section> <n> <n> ...") as {section: values}.

    Every section's values must be unsigned 32-bit numbers (64-bit for xpc),
    and the sections procfs decodes must have their expected length.
    """
    out: dict[str, tuple[int, ...]] = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 2:
            continue
        section = fields[0]
        bits = 64 if section == "xpc" else 32
        try:
            values = [parse_uint(field, 10, bits) for field in fields[1:]]
        except ParseError as exc:
            raise ParseError(f"xfs: section {section[:40]!r}: {exc}") from None
        sizes = SECTION_SIZES.get(section)
        if sizes is not None and len(values) not in sizes:
            raise ParseError(f"xfs: section {section!r} has {len(values)} values, expected {sizes}")
        out[section] = tuple(values)
    return out
