"""ksmd: kernel samepage merging statistics from /sys/kernel/mm/ksm.

Files the running kernel does not have (general_profit is recent) are
skipped. Every value is read as an unsigned decimal, as node_exporter reads
them: a negative general_profit (KSM costing more than it saves) fails the
collector in node_exporter, and here too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from pyexporter import fs
from pyexporter.golang.strconv import parse_uint
from pyexporter.golang.strings import go_trim_space
from pyexporter.metrics import NAMESPACE, Desc, MetricFamily, counter, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

#: ksm file -> (metric name, HELP, counter?) as node_exporter names them (HELP from the kernel docs).
KSM_FILES: dict[str, tuple[str, str, bool]] = {
    "full_scans": ("full_scans_total", "How many times all mergeable areas have been scanned.", True),
    "general_profit": ("general_profit_bytes",
                       "How effective is KSM. ksm_saved_pages * sizeof(page) - (all_rmap_items) * "
                       "sizeof(rmap_item)", False),
    "merge_across_nodes": ("merge_across_nodes",
                           "Specifies if pages from different NUMA nodes can be merged.", False),
    "pages_shared": ("pages_shared", "How many shared pages are being used.", False),
    "pages_sharing": ("pages_sharing", "How many more sites are sharing them i.e. how much saved.", False),
    "pages_to_scan": ("pages_to_scan", "How many pages to scan before ksmd goes to sleep.", False),
    "pages_unshared": ("pages_unshared", "How many pages unique but repeatedly checked for merging.", False),
    "pages_volatile": ("pages_volatile", "How many pages changing too fast to be placed in a tree.", False),
    "run": ("run", "The status of ksmd. stopped = 0, running = 1", False),
    "sleep_millisecs": ("sleep_seconds", "How many seconds ksmd should sleep before next scan.", False),
}


@register
class KsmdCollector(Collector):
    name = "ksmd"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.descs: dict[str, Desc] = {
            file: (counter if is_counter else gauge)(f"{NAMESPACE}_ksmd_{metric}", help_text)
            for file, (metric, help_text, is_counter) in KSM_FILES.items()
        }

    def collect(self) -> Iterator[MetricFamily]:
        directory = self.roots.sys("kernel", "mm", "ksm")
        # Each file's value is sent before the next file is read, as node_exporter does.
        for file, desc in self.descs.items():
            text = fs.read_optional_text(os.path.join(directory, file))
            if text is None:
                continue
            value = float(parse_uint(go_trim_space(text)))
            if file == "sleep_millisecs":
                value /= 1000
            yield desc.one(value)
