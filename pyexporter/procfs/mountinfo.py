"""/proc/<pid>/mountinfo, parsed as prometheus/procfs parses it (proc(5)).

A line reads
    36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue
    (1)(2)(3)   (4)   (5)         (6)      (7)     (8) (9)  (10)     (11)
with zero or more optional fields (7) ended by the lone `-` (8). Fields are
separated by single spaces; the kernel escapes space, tab, newline and
backslash inside fields as octal (`\\040`), and fields are returned as written,
escapes and all: consumers decide what to unescape (node_exporter's
filesystem collector only turns `\\040` and `\\011` back).

Like procfs, one malformed line makes the whole file unusable: a mount table
missing a line would silently drop a filesystem from the metrics.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_int
from pyexporter.golang.strings import go_lines

#: Optional-field tags procfs keeps; others are dropped.
_OPTIONAL_FIELD_TAGS = frozenset({"shared", "master", "propagate_from", "unbindable"})


@dataclass(frozen=True, slots=True)
class MountInfo:
    mount_id: int
    parent_id: int
    #: `major:minor` as written (the st_dev of files on the filesystem).
    major_minor: str
    root: str
    mount_point: str
    options: Mapping[str, str] = field(default_factory=dict)
    optional_fields: Mapping[str, str] = field(default_factory=dict)
    fs_type: str = ""
    source: str = ""
    super_options: Mapping[str, str] = field(default_factory=dict)


def parse_mount_options(text: str) -> dict[str, str]:
    """`rw,size=4k,ro` -> {"rw": "", "size": "4k", "ro": ""}; a later key replaces an earlier one.

    As procfs: each option is split on `=` and only the first two parts are
    kept (`a=b=c` is `a` -> `b`).
    """
    options: dict[str, str] = {}
    for option in text.split(","):
        parts = option.split("=")
        options[parts[0]] = parts[1] if len(parts) >= 2 else ""
    return options


def _parse_go_int(text: str, what: str, line: str) -> int:
    """strconv.Atoi on a 64-bit platform."""
    try:
        return parse_int(text)
    except ParseError:
        raise ParseError(f"mountinfo: invalid {what} {text[:40]!r} in line {line[:200]!r}") from None


def parse_mountinfo_line(line: str) -> MountInfo:
    fields = line.split(" ")
    count = len(fields)
    if count < 10:
        raise ParseError(f"mountinfo: too few fields in mount string: {line[:200]!r}")
    if fields[count - 4] != "-":
        raise ParseError(f"mountinfo: couldn't find separator in expected field: {fields[count - 4]!r}")
    optional: dict[str, str] = {}
    if fields[6] != "":
        for item in fields[6:count - 4]:
            tag, _, value = item.partition(":")
            if tag in _OPTIONAL_FIELD_TAGS:
                optional[tag] = value
    return MountInfo(
        mount_id=_parse_go_int(fields[0], "mount ID", line),
        parent_id=_parse_go_int(fields[1], "parent ID", line),
        major_minor=fields[2],
        root=fields[3],
        mount_point=fields[4],
        options=parse_mount_options(fields[5]),
        optional_fields=optional,
        fs_type=fields[count - 3],
        source=fields[count - 2],
        super_options=parse_mount_options(fields[count - 1]),
    )


def parse_mountinfo(data: bytes | str) -> list[MountInfo]:
    """Every mount of a mountinfo file, in file order.

    Bytes are decoded with `surrogateescape`, so a path that is not UTF-8
    still names the same file when handed back to the OS.
    """
    text = data.decode("utf-8", "surrogateescape") if isinstance(data, bytes) else data
    # procfs reads the file with a bufio.Scanner: its lines, and its 64 KiB line limit.
    return [parse_mountinfo_line(line) for line in go_lines(text)]


def unescape_mount_point(path: str) -> str:
    """node_exporter's fstab(5) translation: only `\\040` (space) and `\\011` (tab)."""
    if "\\0" not in path:
        return path
    return path.replace("\\040", " ").replace("\\011", "\t")


#: fmt.Sscanf("%d:%d"): each number may carry a sign; anything after the minor is ignored.
_MAJOR_MINOR = re.compile(r"([+-]?[0-9]+):([+-]?[0-9]+)")


def parse_major_minor(text: str) -> tuple[str, str]:
    """`8:1` -> ("8", "1") as node_exporter prints them (strconv.Itoa of the scanned ints)."""
    match = _MAJOR_MINOR.match(text)
    if match is None:
        raise ParseError(f"malformed mount point MajorMinorVer: {text!r}")
    try:
        major, minor = parse_int(match.group(1)), parse_int(match.group(2))
    except ParseError:  # beyond int64 (checked before converting: int() refuses 4300+ digits)
        raise ParseError(f"malformed mount point MajorMinorVer: {text[:80]!r}") from None
    return str(major), str(minor)


def _unescape_mount_field(text: str) -> str:
    return text.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def parse_btrfs_mounts(mountinfo: str) -> list[tuple[str, str]]:
    """(source device, mount point) of each btrfs line of a mountinfo file."""
    out = []
    for line in mountinfo.splitlines():
        fields = line.split(" ")
        try:
            sep = fields.index("-", 6)
        except ValueError:
            continue
        if len(fields) < sep + 3 or len(fields) < 5 or fields[sep + 1] != "btrfs":
            continue
        out.append((fields[sep + 2], _unescape_mount_field(fields[4])))
    return out
