"""filefd: allocated and maximum file handles from /proc/sys/fs/file-nr."""

from __future__ import annotations

from collections.abc import Iterator

from pyexporter.fs import read_text
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.procfs.sys import parse_file_nr
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings


@register
class FileFDCollector(Collector):
    name = "filefd"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.allocated = gauge(f"{NAMESPACE}_filefd_allocated", "File descriptor statistics: allocated.")
        self.maximum = gauge(f"{NAMESPACE}_filefd_maximum", "File descriptor statistics: maximum.")

    def collect(self) -> Iterator[MetricFamily]:
        allocated, maximum = parse_file_nr(read_text(self.roots.proc("sys", "fs", "file-nr")))
        yield self.allocated.one(allocated)
        yield self.maximum.one(maximum)
