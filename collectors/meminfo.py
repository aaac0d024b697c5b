"""meminfo: /proc/meminfo as node_memory_<Field>_bytes (and the HugePages_* counts)."""

from __future__ import annotations

from collections.abc import Iterator

from pyexporter.fs import read_text
from pyexporter.metrics import COUNTER, GAUGE, NAMESPACE, MetricFamily
from pyexporter.procfs.meminfo import parse_meminfo
from pyexporter.registry import Collector, register

#: The /proc/meminfo fields node_exporter 1.12.1 exposes, with their metric
#: names. Since node_exporter moved to procfs's Meminfo struct it exposes only
#: these: a field the kernel adds later (KReclaimable, FileHugePages, ...) is
#: not served until node_exporter lists it.
BYTE_FIELDS: dict[str, str] = {
    "Active": "Active_bytes",
    "Active(anon)": "Active_anon_bytes",
    "Active(file)": "Active_file_bytes",
    "AnonHugePages": "AnonHugePages_bytes",
    "AnonPages": "AnonPages_bytes",
    "Bounce": "Bounce_bytes",
    "Buffers": "Buffers_bytes",
    "Cached": "Cached_bytes",
    "CmaFree": "CmaFree_bytes",
    "CmaTotal": "CmaTotal_bytes",
    "CommitLimit": "CommitLimit_bytes",
    "Committed_AS": "Committed_AS_bytes",
    "DirectMap1G": "DirectMap1G_bytes",
    "DirectMap2M": "DirectMap2M_bytes",
    "DirectMap4k": "DirectMap4k_bytes",
    "Dirty": "Dirty_bytes",
    "HardwareCorrupted": "HardwareCorrupted_bytes",
    "Hugepagesize": "Hugepagesize_bytes",
    "Inactive": "Inactive_bytes",
    "Inactive(anon)": "Inactive_anon_bytes",
    "Inactive(file)": "Inactive_file_bytes",
    "KernelStack": "KernelStack_bytes",
    "Mapped": "Mapped_bytes",
    "MemAvailable": "MemAvailable_bytes",
    "MemFree": "MemFree_bytes",
    "MemTotal": "MemTotal_bytes",
    "Mlocked": "Mlocked_bytes",
    "NFS_Unstable": "NFS_Unstable_bytes",
    "PageTables": "PageTables_bytes",
    "Percpu": "Percpu_bytes",
    "SReclaimable": "SReclaimable_bytes",
    "SUnreclaim": "SUnreclaim_bytes",
    "Shmem": "Shmem_bytes",
    "ShmemHugePages": "ShmemHugePages_bytes",
    "ShmemPmdMapped": "ShmemPmdMapped_bytes",
    "Slab": "Slab_bytes",
    "SwapCached": "SwapCached_bytes",
    "SwapFree": "SwapFree_bytes",
    "SwapTotal": "SwapTotal_bytes",
    "Unevictable": "Unevictable_bytes",
    "VmallocChunk": "VmallocChunk_bytes",
    "VmallocTotal": "VmallocTotal_bytes",
    "VmallocUsed": "VmallocUsed_bytes",
    "Writeback": "Writeback_bytes",
    "WritebackTmp": "WritebackTmp_bytes",
    "Zswap": "Zswap_bytes",
    "Zswapped": "Zswapped_bytes",
}
#: Page counts: exposed as written, without a unit suffix.
COUNT_FIELDS: dict[str, str] = {
    "HugePages_Free": "HugePages_Free",
    "HugePages_Rsvd": "HugePages_Rsvd",
    "HugePages_Surp": "HugePages_Surp",
    "HugePages_Total": "HugePages_Total",
}


@register
class MeminfoCollector(Collector):
    name = "meminfo"

    def collect(self) -> Iterator[MetricFamily]:
        meminfo = parse_meminfo(read_text(self.roots.proc("meminfo")))
        for field, value in meminfo.items():
            metric = BYTE_FIELDS.get(field)
            number = value.bytes
            if metric is None:
                metric = COUNT_FIELDS.get(field)
                number = value.value
            if metric is None:
                continue
            # node_exporter types a field by its name; none of today's ends in _total.
            kind = COUNTER if metric.endswith("_total") else GAUGE
            fam = MetricFamily(f"{NAMESPACE}_memory_{metric}", f"Memory information field {metric}.", kind)
            yield fam.add(number)
