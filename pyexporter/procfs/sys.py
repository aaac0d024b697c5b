"""Values below /proc/sys: sysctl files, kernel/random, fs/file-nr, kernel/hung_task_detect_count."""

from __future__ import annotations

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_float, parse_int, parse_uint
from pyexporter.golang.strings import go_fields, go_trim_space
from pyexporter.sysfs.attrs import sys_value, valid_utf8


def parse_sysctl_ints(values: list[str], name: str) -> list[int]:
    """The fields of a numeric sysctl; the base follows the prefix (0x, 0o, 0), as in procfs."""
    out = []
    for index, value in enumerate(values):
        try:
            out.append(parse_int(value, 0))
        except ParseError:
            raise ParseError(f"field {index} in sysctl {name} is not a valid int: {value!r}") from None
    return out


def sysctl_fields(data: bytes) -> list[str]:
    """The whitespace-separated fields of a sysctl file as procfs sees them (first read only)."""
    return go_fields(valid_utf8(sys_value(data)))


def parse_random_value(text: str) -> int:
    """One kernel/random file (entropy_avail, poolsize, ...): an unsigned number, as procfs's KernelRandom."""
    return parse_uint(go_trim_space(text))


def parse_file_nr(text: str) -> tuple[float, float]:
    """(allocated, maximum): the first and third tab-separated values; the second is always 0."""
    parts = go_trim_space(text).split("\t")
    if len(parts) < 3:
        raise ParseError("unexpected number of file stats in file-nr")
    return parse_float(parts[0]), parse_float(parts[2])


def parse_hung_task_detect_count(text: str) -> int:
    """kernel/hung_task_detect_count: the number of tasks the detector has flagged since boot."""
    return parse_uint(go_trim_space(text))
