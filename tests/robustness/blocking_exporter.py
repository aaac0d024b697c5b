"""pyexporter with one more collector, `blocker`, whose read never returns: for the timeout tests only.

    PYEXPORTER_TEST_BLOCKER_DIR=DIR python -m tests.robustness.blocking_exporter --collector.blocker ...

The collector appends a line to DIR/starts each time it starts. While DIR/block
exists it opens the FIFO DIR/gate for reading, which blocks in the kernel until
a test opens it for writing: a read that hangs as one on a dead NFS mount or
a wedged driver attribute does. Production code has no hook for this: the
module registers the collector, then runs the ordinary command line.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from pyexporter.cli import main
from pyexporter.metrics import MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

ENV = "PYEXPORTER_TEST_BLOCKER_DIR"


@register
class BlockerCollector(Collector):
    name = "blocker"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.dir = os.environ[ENV]
        self.desc = gauge("robustness_blocker_runs", "Runs of the test-only blocking collector.")
        self.runs = 0

    def collect(self) -> Iterator[MetricFamily]:
        with open(os.path.join(self.dir, "starts"), "a") as f:
            f.write("start\n")
        if os.path.exists(os.path.join(self.dir, "block")):
            with open(os.path.join(self.dir, "gate"), "rb") as gate:  # blocks until a writer opens it
                gate.read()
        self.runs += 1
        yield self.desc.one(self.runs)


if __name__ == "__main__":
    raise SystemExit(main())
