"""zoneinfo: per-zone page statistics from /proc/zoneinfo (node_zoneinfo_*)."""

from __future__ import annotations

from collections.abc import Iterator

from pyexporter.fs import read_text
from pyexporter.metrics import COUNTER, GAUGE, NAMESPACE, Desc, Families, MetricFamily, gauge
from pyexporter.procfs.zoneinfo import parse_zoneinfo
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

#: zoneinfo key -> (metric name part, HELP, type), in procfs' field order.
ZONEINFO_FIELDS: dict[str, tuple[str, str, str]] = {
    "nr_free_pages": ("nr_free_pages", "Total number of free pages in the zone", GAUGE),
    "min": ("min_pages", "Zone watermark pages_min", GAUGE),
    "low": ("low_pages", "Zone watermark pages_low", GAUGE),
    "high": ("high_pages", "Zone watermark pages_high", GAUGE),
    "scanned": ("scanned_pages", "Pages scanned since last reclaim", GAUGE),
    "spanned": ("spanned_pages", "Total pages spanned by the zone, including holes", GAUGE),
    "present": ("present_pages", "Physical pages existing within the zone", GAUGE),
    "managed": ("managed_pages", "Present pages managed by the buddy system", GAUGE),
    "nr_active_anon": ("nr_active_anon_pages", "Number of anonymous pages recently more used", GAUGE),
    "nr_inactive_anon": ("nr_inactive_anon_pages", "Number of anonymous pages recently less used", GAUGE),
    "nr_isolated_anon": ("nr_isolated_anon_pages", "Temporary isolated pages from anon lru", GAUGE),
    "nr_anon_pages": ("nr_anon_pages", "Number of anonymous pages currently used by the system", GAUGE),
    "nr_anon_transparent_hugepages": (
        "nr_anon_transparent_hugepages",
        "Number of anonymous transparent huge pages currently used by the system", GAUGE),
    "nr_active_file": ("nr_active_file_pages", "Number of active pages with file-backing", GAUGE),
    "nr_inactive_file": ("nr_inactive_file_pages", "Number of inactive pages with file-backing", GAUGE),
    "nr_isolated_file": ("nr_isolated_file_pages", "Temporary isolated pages from file lru", GAUGE),
    "nr_file_pages": ("nr_file_pages", "Number of file pages", GAUGE),
    "nr_slab_reclaimable": ("nr_slab_reclaimable_pages", "Number of reclaimable slab pages", GAUGE),
    "nr_slab_unreclaimable": ("nr_slab_unreclaimable_pages", "Number of unreclaimable slab pages", GAUGE),
    "nr_mlock_stack": ("nr_mlock_stack_pages", "mlock()ed pages found and moved off LRU", GAUGE),
    "nr_kernel_stack": ("nr_kernel_stacks", "Number of kernel stacks", GAUGE),
    "nr_mapped": ("nr_mapped_pages", "Number of mapped pages", GAUGE),
    "nr_dirty": ("nr_dirty_pages", "Number of dirty pages", GAUGE),
    "nr_writeback": ("nr_writeback_pages", "Number of writeback pages", GAUGE),
    "nr_unevictable": ("nr_unevictable_pages", "Number of unevictable pages", GAUGE),
    "nr_shmem": ("nr_shmem_pages", "Number of shmem pages (included tmpfs/GEM pages)", GAUGE),
    "nr_dirtied": ("nr_dirtied_total", "Page dirtyings since bootup", COUNTER),
    "nr_written": ("nr_written_total", "Page writings since bootup", COUNTER),
    "numa_hit": ("numa_hit_total", "Allocated in intended node", COUNTER),
    "numa_miss": ("numa_miss_total", "Allocated in non intended node", COUNTER),
    "numa_foreign": ("numa_foreign_total", "Was intended here, hit elsewhere", COUNTER),
    "numa_interleave": ("numa_interleave_total", "Interleaver preferred this zone", COUNTER),
    "numa_local": ("numa_local_total", "Allocation from local node", COUNTER),
    "numa_other": ("numa_other_total", "Allocation from other node", COUNTER),
}


@register
class ZoneinfoCollector(Collector):
    name = "zoneinfo"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.descs = {
            key: Desc(f"{NAMESPACE}_zoneinfo_{name}", help_text, kind, ("node", "zone"))
            for key, (name, help_text, kind) in ZONEINFO_FIELDS.items()
        }
        # The protection array's length depends on the kernel's zone count.
        self.protection_descs: dict[int, Desc] = {}

    def _protection_desc(self, index: int) -> Desc:
        desc = self.protection_descs.get(index)
        if desc is None:
            desc = self.protection_descs[index] = gauge(
                f"{NAMESPACE}_zoneinfo_protection_{index}", f"Protection array {index}. field", "node", "zone"
            )
        return desc

    def collect(self) -> Iterator[MetricFamily]:
        families = Families()
        for zone in parse_zoneinfo(read_text(self.roots.proc("zoneinfo"))):
            for key, value in zone.values.items():
                families.of(self.descs[key]).add(value, zone.node, zone.zone)
            for index, value in enumerate(zone.protection):
                families.of(self._protection_desc(index)).add(value, zone.node, zone.zone)
        yield from families.values()
