"""slabinfo: kernel slab allocator caches from /proc/slabinfo (version 2.1), node_slabinfo_*."""

from __future__ import annotations

from collections.abc import Iterator

from pyexporter.filters import DeviceFilter
from pyexporter.flags import RegexFlag
from pyexporter.fs import read_text
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.procfs.slabinfo import parse_slabinfo
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

SLABS_INCLUDE = RegexFlag("collector.slabinfo.slabs-include",
                          "Regexp of slabs to include in slabinfo collector.", ".*")
SLABS_EXCLUDE = RegexFlag("collector.slabinfo.slabs-exclude",
                          "Regexp of slabs to exclude in slabinfo collector.", "")


@register
class SlabinfoCollector(Collector):
    name = "slabinfo"
    default_enabled = False
    flags = (SLABS_INCLUDE, SLABS_EXCLUDE)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        prefix = f"{NAMESPACE}_slabinfo"
        self.active_objects = gauge(
            f"{prefix}_active_objects", "The number of objects that are currently active (i.e., in use).",
            "slab",
        )
        self.objects = gauge(
            f"{prefix}_objects",
            "The total number of allocated objects (i.e., objects that are both in use and not in use).",
            "slab",
        )
        self.object_size = gauge(
            f"{prefix}_object_size_bytes", "The size of objects in this slab, in bytes.", "slab"
        )
        self.objects_per_slab = gauge(
            f"{prefix}_objects_per_slab", "The number of objects stored in each slab.", "slab"
        )
        self.pages_per_slab = gauge(
            f"{prefix}_pages_per_slab", "The number of pages allocated for each slab.", "slab"
        )
        self.slab_filter = DeviceFilter(settings[SLABS_EXCLUDE], settings[SLABS_INCLUDE])

    def collect(self) -> Iterator[MetricFamily]:
        active, objects, size = self.active_objects.family(), self.objects.family(), self.object_size.family()
        per_slab, pages = self.objects_per_slab.family(), self.pages_per_slab.family()
        for slab in parse_slabinfo(read_text(self.roots.proc("slabinfo"))):
            if self.slab_filter.ignored(slab.name):
                continue
            active.add(slab.active_objects, slab.name)
            objects.add(slab.objects, slab.name)
            size.add(slab.object_size, slab.name)
            per_slab.add(slab.objects_per_slab, slab.name)
            pages.add(slab.pages_per_slab, slab.name)
        yield from (active, objects, size, per_slab, pages)
