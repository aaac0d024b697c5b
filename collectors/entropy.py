"""entropy: the kernel entropy pool from /proc/sys/kernel/random."""

from __future__ import annotations

from collections.abc import Iterator

from pyexporter.errors import ParseError
from pyexporter.fs import read_optional_text
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.procfs.sys import parse_random_value
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

#: procfs's KernelRandom reads all of these; a present but malformed one fails the collector.
RANDOM_FILES = ("entropy_avail", "poolsize", "urandom_min_reseed_secs", "write_wakeup_threshold",
                "read_wakeup_threshold")


@register
class EntropyCollector(Collector):
    name = "entropy"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.available = gauge(f"{NAMESPACE}_entropy_available_bits", "Bits of available entropy.")
        self.pool_size = gauge(f"{NAMESPACE}_entropy_pool_size_bits", "Bits of entropy pool.")

    def collect(self) -> Iterator[MetricFamily]:
        values: dict[str, int] = {}
        for name in RANDOM_FILES:
            text = read_optional_text(self.roots.proc("sys", "kernel", "random", name))
            if text is not None:
                values[name] = parse_random_value(text)
        # As node_exporter: entropy_avail is sent before the pool size is looked for.
        if "entropy_avail" not in values:
            raise ParseError("couldn't get entropy_avail")
        yield self.available.one(values["entropy_avail"])
        if "poolsize" not in values:
            raise ParseError("couldn't get entropy poolsize")
        yield self.pool_size.one(values["poolsize"])
