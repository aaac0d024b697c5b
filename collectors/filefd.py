"""filefd: allocated and maximum file handles from /proc/sys/fs/file-nr."""

from __future__ import annotations

from pyexporter.errors import ParseError
from pyexporter.fs import read_text
from pyexporter.golang.strconv import parse_float
from pyexporter.golang.strings import go_trim_space
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings


def parse_file_nr(text: str) -> tuple[float, float]:
    """(allocated, maximum): the first and third tab-separated values; the second is always 0."""
    parts = go_trim_space(text).split("\t")
    if len(parts) < 3:
        raise ParseError("unexpected number of file stats in file-nr")
    return parse_float(parts[0]), parse_float(parts[2])


@register
class FileFDCollector(Collector):
    name = "filefd"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.allocated = gauge(f"{NAMESPACE}_filefd_allocated", "File descriptor statistics: allocated.")
        self.maximum = gauge(f"{NAMESPACE}_filefd_maximum", "File descriptor statistics: maximum.")

    def collect(self) -> list[MetricFamily]:
        allocated, maximum = parse_file_nr(read_text(self.roots.proc("sys", "fs", "file-nr")))
        return [self.allocated.one(allocated), self.maximum.one(maximum)]
