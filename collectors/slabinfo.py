"""slabinfo: kernel slab allocator caches from /proc/slabinfo (version 2.1), node_slabinfo_*."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.filters import DeviceFilter
from pyexporter.fs import read_text
from pyexporter.golang.strconv import parse_int
from pyexporter.golang.strings import go_lines
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.registry import Collector, Flag, register
from pyexporter.settings import Settings

# Go's \s: the runs procfs collapses to one space before splitting on it.
_GO_WHITESPACE = re.compile(r"[\t\n\f\r ]+")
_VERSION_LINE = re.compile(r"slabinfo -")
_HEADER_LINE = re.compile(r"# name")


@dataclass(frozen=True, slots=True)
class Slab:
    name: str
    active_objects: int
    objects: int
    object_size: int
    objects_per_slab: int
    pages_per_slab: int


def parse_slabinfo(text: str) -> list[Slab]:
    """Rows of `name active num objsize objperslab pagesperslab : tunables l b s : slabdata a n s`.

    As procfs, a row must split into exactly 16 fields (so leading or trailing
    blanks make it invalid); the version and header lines are skipped.
    """
    out: list[Slab] = []
    for line in go_lines(text):
        if _VERSION_LINE.search(line) or _HEADER_LINE.search(line):
            continue
        parts = _GO_WHITESPACE.sub(" ", line).split(" ")
        if len(parts) != 16:
            raise ParseError(f"slabinfo: unable to parse {line[:100]!r}")
        # procfs also checks that the tunables and slabdata numbers parse.
        for index in (8, 9, 10, 13, 14, 15):
            parse_int(parts[index])
        out.append(Slab(parts[0], *(parse_int(parts[i]) for i in range(1, 6))))
    return out


@register
class SlabinfoCollector(Collector):
    name = "slabinfo"
    default_enabled = False
    flags = (
        Flag("collector.slabinfo.slabs-include", "Regexp of slabs to include in slabinfo collector.",
             ".*", "regex"),
        Flag("collector.slabinfo.slabs-exclude", "Regexp of slabs to exclude in slabinfo collector.",
             "", "regex"),
    )

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
        self.slab_filter = DeviceFilter(
            self.flag("collector.slabinfo.slabs-exclude"), self.flag("collector.slabinfo.slabs-include")
        )

    def collect(self) -> list[MetricFamily]:
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
        return [active, objects, size, per_slab, pages]
