"""kernel_hung: tasks the hung-task detector flagged, from /proc/sys/kernel/hung_task_detect_count."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from pyexporter.errors import NoDataError
from pyexporter.fs import read_optional_text
from pyexporter.metrics import NAMESPACE, MetricFamily, counter
from pyexporter.procfs.sys import parse_hung_task_detect_count
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)


@register
class KernelHungCollector(Collector):
    name = "kernel_hung"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.tasks = counter(
            f"{NAMESPACE}_kernel_hung_tasks_total",
            "Total number of tasks that have been detected as hung since the system booted.")

    def collect(self) -> Iterator[MetricFamily]:
        path = self.roots.proc("sys", "kernel", "hung_task_detect_count")
        text = read_optional_text(path)
        if text is None:
            # The file exists since Linux 6.13, with CONFIG_DETECT_HUNG_TASK.
            log.debug("hung_task_detect_count does not exist")
            raise NoDataError(f"{path} does not exist")
        yield self.tasks.one(parse_hung_task_detect_count(text))
