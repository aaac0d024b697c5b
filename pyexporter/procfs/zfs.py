"""ZFS's kstats below /proc/spl/kstat/zfs: named kstats, a pool's io, objset and state files."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_int, parse_uint
from pyexporter.golang.strings import go_fields, go_lines

#: kstat data types (lib/libspl/include/sys/kstat.h); node_exporter reads only these two.
KSTAT_DATA_INT64 = "3"
KSTAT_DATA_UINT64 = "4"


@dataclass(frozen=True, slots=True)
class ObjsetValue:
    """One counter of an objset file; `named` is false before a dataset_name line was seen."""

    named: bool
    dataset: str
    kstat: str
    value: int


def _is_header(parts: list[str]) -> bool:
    return len(parts) == 3 and parts[0] == "name" and parts[1] == "type" and parts[2] == "data"


def _kstat_rows(text: str, what: str) -> Iterator[tuple[str, list[str]]]:
    """(line, fields) of the rows after a named kstat's `name type data` header that have 3 fields or more.

    ParseError, after the rows, when the header is missing.
    """
    started = False
    for line in go_lines(text):
        parts = go_fields(line)
        if not started:
            started = _is_header(parts)
        elif len(parts) >= 3:
            yield line, parts
    if not started:
        raise ParseError(f"no 'name type data' header in {what}")


def parse_kstat_named(text: str) -> list[tuple[str, int]]:
    """The 64-bit integer kstats of a named kstat file, after its `name type data` header."""
    out: list[tuple[str, int]] = []
    for _, parts in _kstat_rows(text, "kstat file"):
        if parts[1] == KSTAT_DATA_UINT64:
            out.append((parts[0], parse_uint(parts[2])))
        elif parts[1] == KSTAT_DATA_INT64:
            out.append((parts[0], parse_int(parts[2])))
    return out


def parse_pool_io(text: str) -> list[tuple[str, int]]:
    """A pool's io kstat: a header line of field names starting with nread, then rows of values."""
    out: list[tuple[str, int]] = []
    fields: list[str] | None = None
    for line in go_lines(text):
        parts = go_fields(line)
        if fields is None:
            if len(parts) >= 12 and parts[0] == "nread":
                fields = parts
            continue
        if len(parts) < len(fields):
            raise ParseError(f"pool io row has {len(parts)} values for {len(fields)} fields")
        out.extend((name, parse_uint(value)) for name, value in zip(fields, parts, strict=False))
    return out


def parse_objset(text: str) -> list[ObjsetValue]:
    """A pool's objset-0x... kstat: dataset_name, then unsigned counters of that dataset."""
    out: list[ObjsetValue] = []
    named = False
    dataset = ""
    for line, parts in _kstat_rows(text, "objset file"):
        if parts[0] == "dataset_name":
            # Dataset names may hold spaces: the name is the rest of the line from
            # where its first word starts (node_exporter searches the line for it).
            named = True
            dataset = line[line.index(parts[2]):]
            continue
        if parts[1] == KSTAT_DATA_UINT64:
            out.append(ObjsetValue(named, dataset, parts[0], parse_uint(parts[2])))
    return out


def parse_pool_state(text: str) -> str:
    """The pool state (first line of the state file), lower case; '' when empty."""
    lines = go_lines(text)
    return lines[0].lower() if lines else ""
