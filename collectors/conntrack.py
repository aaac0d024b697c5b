"""conntrack: netfilter connection tracking table size, limit and statistics (node_nf_conntrack_*)."""

from __future__ import annotations

from collections.abc import Iterator

from pyexporter.errors import NoDataError
from pyexporter.fs import read_text
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.procfs.net_conntrackstat import parse_conntrack_stat
from pyexporter.registry import Collector, register
from pyexporter.sysfs.attrs import read_uint_file

#: (metric suffix, ConntrackStatEntry field, HELP) for the per-CPU sums.
_STATS = (
    ("found", "found", "Number of searched entries which were successful."),
    ("invalid", "invalid", "Number of packets seen which can not be tracked."),
    ("ignore", "ignore", "Number of packets seen which are already connected to a conntrack entry."),
    ("insert", "insert", "Number of entries inserted into the list."),
    ("insert_failed", "insert_failed",
     "Number of entries for which list insertion was attempted but failed."),
    ("drop", "drop", "Number of packets dropped due to conntrack failure."),
    ("early_drop", "early_drop",
     "Number of dropped conntrack entries to make room for new ones, if maximum table size was reached."),
    ("search_restart", "search_restart",
     "Number of conntrack table lookups which had to be restarted due to hashtable resizes."),
)


@register
class ConntrackCollector(Collector):
    name = "conntrack"

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.current = gauge(f"{NAMESPACE}_nf_conntrack_entries",
                             "Number of currently allocated flow entries for connection tracking.")
        self.limit = gauge(f"{NAMESPACE}_nf_conntrack_entries_limit",
                           "Maximum size of connection tracking table.")
        self.stat_descs = tuple(
            (field, gauge(f"{NAMESPACE}_nf_conntrack_stat_{suffix}", help)) for suffix, field, help in _STATS
        )

    def collect(self) -> Iterator[MetricFamily]:
        # Without the nf_conntrack module none of these files exist: no data, not an error. As
        # node_exporter, each value is sent before the next file is read.
        try:
            netfilter = self.roots.proc("sys", "net", "netfilter")
            yield self.current.one(read_uint_file(f"{netfilter}/nf_conntrack_count"))
            yield self.limit.one(read_uint_file(f"{netfilter}/nf_conntrack_max"))
            entries = parse_conntrack_stat(read_text(self.roots.proc("net", "stat", "nf_conntrack")))
        except FileNotFoundError as exc:
            raise NoDataError(f"conntrack probably not loaded: {exc}") from None
        for field, desc in self.stat_descs:
            yield desc.one(sum(getattr(entry, field) for entry in entries) & ((1 << 64) - 1))
