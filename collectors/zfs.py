"""zfs: ZFS kstats from /proc/spl/kstat/zfs (ARC, dbuf, ZIL, ... and per-pool io, objset and state).

Every kstat becomes an untyped family named after its subsystem and kstat
name, with the kstat path as HELP, as node_exporter does. Files come and go
with ZFS versions: a missing one is skipped, one that is there but unparsable
fails the scrape.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from pyexporter.errors import NoDataError, ParseError
from pyexporter.fs import exists, is_dir, list_dir, read_optional_text, read_text
from pyexporter.golang.strconv import parse_int, parse_uint
from pyexporter.golang.strings import go_fields, go_lines
from pyexporter.metrics import NAMESPACE, Desc, MetricFamily, gauge, untyped
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)

#: kstat data types (lib/libspl/include/sys/kstat.h); node_exporter reads only these two.
KSTAT_DATA_INT64 = "3"
KSTAT_DATA_UINT64 = "4"

#: Collector subsystem -> file below spl/kstat/zfs.
SUBSYSTEM_FILES = {
    "zfs_abd": "abdstats",
    "zfs_arc": "arcstats",
    "zfs_dbuf": "dbufstats",
    "zfs_dmu_tx": "dmu_tx",
    "zfs_dnode": "dnodestats",
    "zfs_fm": "fm",
    "zfs_vdev_cache": "vdev_cache_stats",
    "zfs_vdev_mirror": "vdev_mirror_stats",
    "zfs_xuio": "xuio_stats",
    "zfs_zfetch": "zfetchstats",
    "zfs_zil": "zil",
}

POOL_STATES = ("online", "degraded", "faulted", "offline", "removed", "unavail", "suspended")

_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


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


def metric_suffix(kstat: str) -> str:
    """node_exporter's name for a kstat: the part after its last dot, '-' made '_'."""
    return kstat.rsplit(".", 1)[-1].replace("-", "_")


@register
class ZfsCollector(Collector):
    name = "zfs"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.state = gauge(f"{NAMESPACE}_zfs_zpool_state", "kstat.zfs.misc.state", "zpool", "state")
        # kstat names are only known when read; each descriptor is built once and kept.
        self._descs: dict[tuple[str, str, str], Desc | None] = {}

    def _desc(self, subsystem: str, file: str, kstat: str, labels: tuple[str, ...] = ()) -> Desc | None:
        """The family template of one kstat; None (and skipped) when its name is no metric name."""
        key = (subsystem, file, kstat)
        if key not in self._descs:
            name = f"{NAMESPACE}_{subsystem}_{metric_suffix(kstat)}"
            if _METRIC_NAME.fullmatch(name):
                self._descs[key] = untyped(name, f"kstat.zfs.misc.{file}.{kstat}", *labels)
            else:
                log.debug("skipping ZFS kstat with an invalid metric name: %r", kstat)
                self._descs[key] = None
        return self._descs[key]

    def collect(self) -> list[MetricFamily]:
        base = self.roots.proc("spl", "kstat", "zfs")
        if not exists(base):
            log.debug("ZFS / ZFS statistics are not available: %s does not exist", base)
            raise NoDataError(f"{base} does not exist")
        out: list[MetricFamily] = []
        for subsystem, file in sorted(SUBSYSTEM_FILES.items()):
            # Files appear as ZFS gains features; an absent one is fine.
            text = read_optional_text(f"{base}/{file}")
            if text is None:
                log.debug("Cannot open file for reading: %s/%s", base, file)
                continue
            for kstat, value in parse_kstat_named(text):
                desc = self._desc(subsystem, file, kstat)
                if desc is not None:
                    out.append(desc.one(value))
        pools = [p for p in list_dir(base) if is_dir(f"{base}/{p}")]
        for pool in pools:
            out.extend(self._pool_io(base, pool))
        for pool in pools:
            out.extend(self._pool_objsets(base, pool))
        for pool in pools:
            out.extend(self._pool_state(base, pool))
        return out

    def _pool_io(self, base: str, pool: str) -> list[MetricFamily]:
        text = read_optional_text(f"{base}/{pool}/io")
        if text is None:
            return []
        out = []
        for field, value in parse_pool_io(text):
            desc = self._desc("zfs_zpool", "io", field, ("zpool",))
            if desc is not None:
                out.append(desc.one(value, pool))
        return out

    def _pool_objsets(self, base: str, pool: str) -> list[MetricFamily]:
        out = []
        for entry in list_dir(f"{base}/{pool}"):
            if not entry.startswith("objset-"):
                continue
            # A pool being exported removes its files between listing and reading.
            text = read_optional_text(f"{base}/{pool}/{entry}")
            if text is None:
                log.debug("Cannot open file for reading: %s/%s/%s", base, pool, entry)
                continue
            for item in parse_objset(text):
                desc = self._desc("zfs_zpool_dataset", "objset", item.kstat, ("zpool", "dataset"))
                if desc is not None:
                    out.append(desc.one(item.value, pool if item.named else "", item.dataset))
        return out

    def _pool_state(self, base: str, pool: str) -> list[MetricFamily]:
        path = f"{base}/{pool}/state"
        if not exists(path):
            return []
        actual = parse_pool_state(read_text(path))
        family = self.state.family()
        for state in POOL_STATES:
            family.add(1 if actual == state else 0, pool, state)
        return [family]
