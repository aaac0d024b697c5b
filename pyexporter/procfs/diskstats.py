"""/proc/diskstats: per block device I/O counters (prometheus/procfs blockdevice ProcDiskstats)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.golang.strings import GO_SPACE_CLASS, go_lines

#: The counters after major, minor and name, in column order (Documentation/admin-guide/iostats.rst).
#: Kernels before 4.18 print the first 11, 4.18 adds 4 discard counters, 5.5 adds 2 flush counters.
IO_STATS_FIELDS = (
    "read_ios", "read_merges", "read_sectors", "read_ticks",
    "write_ios", "write_merges", "write_sectors", "write_ticks",
    "ios_in_progress", "io_total_ticks", "weighted_io_ticks",
    "discard_ios", "discard_merges", "discard_sectors", "discard_ticks",
    "flush_requests_completed", "time_spent_flushing",
)

_SPACE = re.compile(f"[{GO_SPACE_CLASS}]*")
_NON_SPACE = re.compile(f"[^{GO_SPACE_CLASS}]+")
_DIGITS = re.compile("[0-9]+")

#: Minimum number of converted items for a line to count as a device (major, minor, name + 11).
_MIN_ITEMS = 14


@dataclass(frozen=True, slots=True)
class Diskstats:
    major: int
    minor: int
    name: str
    #: The counters that were present, in IO_STATS_FIELDS order (11, 15 or 17 of them).
    stats: tuple[int, ...]

    @property
    def io_stats_count(self) -> int:
        """procfs's IoStatsCount: items read including major, minor and name."""
        return len(self.stats) + 3


def scan_diskstats_line(line: str) -> tuple[int, int, str, tuple[int, ...]] | None:
    """fmt.Sscanf(line, "%d %d %s %d ... %d") with its semantics: values are read until the input
    ends (fewer counters on old kernels); text that is not a number where one is expected is an
    error; anything after the 20th item is ignored. None when fewer than 14 items were read.
    """
    pos = 0
    numbers: list[int] = []
    name = ""
    count = 0
    for index in range(3 + len(IO_STATS_FIELDS)):
        space = _SPACE.match(line, pos)
        if space is not None:
            pos = space.end()
        if pos >= len(line):
            break
        if index == 2:
            word = _NON_SPACE.match(line, pos)
            if word is None:
                break
            name = word.group()
            pos = word.end()
            count += 1
            continue
        digits = _DIGITS.match(line, pos)
        if digits is None:
            raise ParseError(f"diskstats: expected integer at {line[pos:pos + 20]!r}")
        # More than 20 significant digits overflows 64 bits; int() would also refuse
        # over 4300 digits with a ValueError.
        significant = digits.group().lstrip("0") or "0"
        value = int(significant) if len(significant) <= 20 else 1 << 64
        if value >= 1 << (32 if index < 2 else 64):
            raise ParseError(f"diskstats: integer overflow on token {digits.group()[:30]!r}")
        numbers.append(value)
        pos = digits.end()
        count += 1
    if count < _MIN_ITEMS:
        return None
    return numbers[0], numbers[1], name, tuple(numbers[2:])


def parse_diskstats(text: str) -> list[Diskstats]:
    """Every device line of /proc/diskstats; lines with fewer than 14 items are skipped."""
    out = []
    for line in go_lines(text):
        scanned = scan_diskstats_line(line)
        if scanned is not None:
            out.append(Diskstats(*scanned))
    return out


def parse_udev_properties(text: str) -> dict[str, str]:
    """The device properties ('E:KEY=VALUE' lines) of a udev database file."""
    info: dict[str, str] = {}
    for line in text.split("\n"):
        if len(line) >= 64 * 1024:
            # bufio.Scanner stops at an over-long line; node_exporter keeps what it read so far.
            break
        if line.endswith("\r"):
            line = line[:-1]
        if not line.startswith("E:"):
            continue
        key, sep, value = line[2:].partition("=")
        if sep:
            info[key] = value
    return info
