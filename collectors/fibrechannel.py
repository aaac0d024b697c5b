"""fibrechannel: Fibre Channel host adapters from /sys/class/fc_host.

One info sample per host with its identity attributes as labels, and the
counters of statistics/ that the adapter implements.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from pyexporter import fs
from pyexporter.errors import NoDataError, raise_if_parts_failed
from pyexporter.metrics import NAMESPACE, MetricFamily, counter, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import read_uint, read_value, valid_utf8

log = logging.getLogger(__name__)

#: Adapters print all-ones for counters their firmware does not implement.
UNIMPLEMENTED = (1 << 64) - 1

#: statistics/<file> -> (metric name, HELP), as node_exporter names them.
COUNTERS: dict[str, tuple[str, str]] = {
    "dumped_frames": ("dumped_frames_total", "Number of dumped frames"),
    "error_frames": ("error_frames_total", "Number of errors in frames"),
    "invalid_crc_count": ("invalid_crc_total", "Invalid Cyclic Redundancy Check count"),
    "rx_frames": ("rx_frames_total", "Number of frames received"),
    "rx_words": ("rx_words_total", "Number of words received by host port"),
    "tx_frames": ("tx_frames_total", "Number of frames transmitted by host port"),
    "tx_words": ("tx_words_total", "Number of words transmitted by host port"),
    "seconds_since_last_reset": ("seconds_since_last_reset_total",
                                 "Number of seconds since last host port reset"),
    "invalid_tx_word_count": ("invalid_tx_words_total", "Number of invalid words transmitted by host port"),
    "link_failure_count": ("link_failure_total", "Number of times the host port link has failed"),
    "loss_of_sync_count": ("loss_of_sync_total",
                           "Number of failures on either bit or transmission word boundaries"),
    "loss_of_signal_count": ("loss_of_signal_total", "Number of times signal has been lost"),
    "nos_count": ("nos_total", "Number Not_Operational Primitive Sequence received by host port"),
    "fcp_packet_aborts": ("fcp_packet_aborts_total", "Number of aborted packets"),
}

#: Identity attributes, in the order of the info metric's labels after fc_host.
INFO_ATTRIBUTES = ("speed", "port_state", "port_type", "port_id", "port_name", "fabric_name",
                   "symbolic_name", "supported_classes", "supported_speeds", "dev_loss_tmo")
#: Attributes printed as "0x..." whose prefix node_exporter drops.
HEX_ATTRIBUTES = frozenset({"port_id", "port_name", "fabric_name", "node_name"})


def host_attribute(raw: str | None, attribute: str) -> str:
    """An identity attribute as the info label shows it ("" when the driver does not expose it)."""
    if raw is None:
        return ""
    if attribute in HEX_ATTRIBUTES and len(raw) > 2:
        return raw[2:]
    return raw


@register
class FibreChannelCollector(Collector):
    name = "fibrechannel"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        sub = f"{NAMESPACE}_fibrechannel"
        self.info = gauge(f"{sub}_info",
                          "Non-numeric data from /sys/class/fc_host/<host>, value is always 1.",
                          "fc_host", *INFO_ATTRIBUTES)
        self.counters = {file: counter(f"{sub}_{metric}", help_text, "fc_host")
                         for file, (metric, help_text) in COUNTERS.items()}

    def collect(self) -> Iterator[MetricFamily]:
        class_dir = self.roots.sys("class", "fc_host")
        if not fs.is_dir(class_dir):
            raise NoDataError("no /sys/class/fc_host")
        info = self.info.family()
        families = {file: desc.family() for file, desc in self.counters.items()}
        failures: list[str] = []
        for host in fs.list_dir(class_dir):
            path = fs.resolve_dir(os.path.join(class_dir, host))
            if path is None:
                # A loop of links is broken input (node_exporter fails on it): reported, not hidden.
                loop = fs.link_loop_error(os.path.join(class_dir, host))
                if loop is not None:
                    failures.append(loop)
                log.debug("fibrechannel: %s is not a host directory", host)
                continue
            labels = [valid_utf8(host_attribute(read_value(os.path.join(path, a), None), a))
                      for a in INFO_ATTRIBUTES]
            info.add(1, host, *labels)
            stats_dir = os.path.join(path, "statistics")
            for entry in fs.scan_dir(stats_dir):
                fam = families.get(entry.name)
                # Only regular files: the directory also holds write-only triggers.
                if fam is None or not entry.is_file(follow_symlinks=False):
                    continue
                value = read_uint(os.path.join(stats_dir, entry.name), base=0)
                if value is None or value == UNIMPLEMENTED:
                    continue
                fam.add(value, host)
        yield from (info, *families.values())
        raise_if_parts_failed(failures)
