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

from pyexporter.errors import NoDataError
from pyexporter.fs import exists, is_dir, list_dir, read_optional_text, read_text
from pyexporter.metrics import NAMESPACE, Desc, MetricFamily, gauge, untyped
from pyexporter.procfs.zfs import parse_kstat_named, parse_objset, parse_pool_io, parse_pool_state
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)


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

    def collect(self) -> Iterator[MetricFamily]:
        base = self.roots.proc("spl", "kstat", "zfs")
        if not exists(base):
            log.debug("ZFS / ZFS statistics are not available: %s does not exist", base)
            raise NoDataError(f"{base} does not exist")
        # Each file's values are sent before the next file is read, as node_exporter does.
        for subsystem, file in sorted(SUBSYSTEM_FILES.items()):
            # Files appear as ZFS gains features; an absent one is fine.
            text = read_optional_text(f"{base}/{file}")
            if text is None:
                log.debug("Cannot open file for reading: %s/%s", base, file)
                continue
            for kstat, value in parse_kstat_named(text):
                desc = self._desc(subsystem, file, kstat)
                if desc is not None:
                    yield desc.one(value)
        pools = [p for p in list_dir(base) if is_dir(f"{base}/{p}")]
        for pool in pools:
            yield from self._pool_io(base, pool)
        for pool in pools:
            yield from self._pool_objsets(base, pool)
        for pool in pools:
            yield from self._pool_state(base, pool)

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
