"""edac: memory controller error counters from /sys/devices/system/edac/mc.

Per controller `mc<N>`: ce_count/ue_count, the *_noinfo_count counters as
csrow "unknown", each csrow<M>'s ce_count/ue_count, and each channel's
ch<K>_ce_count/ch<K>_ue_count labelled with its DIMM label.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator

from pyexporter import fs
from pyexporter.metrics import NAMESPACE, MetricFamily, counter
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import read_uint, read_value, valid_utf8

log = logging.getLogger(__name__)


def format_dimm_label(raw: str) -> str:
    """node_exporter's DIMM label: drop '#', set csrow/channel apart with '_'.

    "mc#0csrow#1channel#0" becomes "mc0_csrow1_channel0".
    """
    return raw.strip().replace("#", "").replace("csrow", "_csrow").replace("channel", "_channel")


def _numbered_entries(directory: str, pattern: re.Pattern[str]) -> Iterator[tuple[str, str]]:
    """(number, path) of each entry of `directory` whose name starts as `pattern` says (node_exporter's
    glob), the number being the pattern's group."""
    for name in fs.list_dir(directory):
        match = pattern.match(name)
        if match is not None:
            yield match.group(1), os.path.join(directory, name)


def _add_counts(directory: str, counts: tuple[tuple[MetricFamily, str], ...], *labels: str) -> None:
    """Each count file of `directory` into its family; counters a driver does not provide are left out."""
    for fam, attr in counts:
        value = read_uint(os.path.join(directory, attr))
        if value is not None:
            fam.add(value, *labels)


@register
class EdacCollector(Collector):
    name = "edac"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        sub = f"{NAMESPACE}_edac"
        self.ce = counter(f"{sub}_correctable_errors_total", "Total correctable memory errors.", "controller")
        self.ue = counter(f"{sub}_uncorrectable_errors_total", "Total uncorrectable memory errors.",
                          "controller")
        self.csrow_ce = counter(f"{sub}_csrow_correctable_errors_total",
                                "Total correctable memory errors for this csrow.", "controller", "csrow")
        self.csrow_ue = counter(f"{sub}_csrow_uncorrectable_errors_total",
                                "Total uncorrectable memory errors for this csrow.", "controller", "csrow")
        channel_labels = ("controller", "csrow", "channel", "dimm_label")
        self.channel_ce = counter(f"{sub}_channel_correctable_errors_total",
                                  "Total correctable memory errors for this channel.", *channel_labels)
        self.channel_ue = counter(f"{sub}_channel_uncorrectable_errors_total",
                                  "Total uncorrectable memory errors for this channel.", *channel_labels)
        # node_exporter's globs (mc[0-9]*, csrow[0-9]*, ch*_ce_count) and the
        # numbers it takes from the names they match.
        self.controller_re = re.compile(r"mc([0-9]+)")
        self.csrow_re = re.compile(r"csrow([0-9]+)")
        self.channel_glob = re.compile(r"ch.*_ce_count", re.DOTALL)
        self.channel_number_re = re.compile(r"ch([0-9]+)_ce_count")

    def collect(self) -> Iterator[MetricFamily]:
        ce, ue = self.ce.family(), self.ue.family()
        csrow_ce, csrow_ue = self.csrow_ce.family(), self.csrow_ue.family()
        channel_ce, channel_ue = self.channel_ce.family(), self.channel_ue.family()
        # node_exporter sends each controller's counts as it reads them and stops at the first it
        # cannot read: the families are yielded first and filled after, so the earlier counts stay.
        yield from (ce, ue, csrow_ce, csrow_ue, channel_ce, channel_ue)
        mc_dir = self.roots.sys("devices", "system", "edac", "mc")
        for controller, path in _numbered_entries(mc_dir, self.controller_re):
            # In node_exporter's order, which decides what is served when one is unreadable.
            _add_counts(path, ((ce, "ce_count"),), controller)
            _add_counts(path, ((csrow_ce, "ce_noinfo_count"),), controller, "unknown")
            _add_counts(path, ((ue, "ue_count"),), controller)
            _add_counts(path, ((csrow_ue, "ue_noinfo_count"),), controller, "unknown")
            for csrow, csrow_path in _numbered_entries(path, self.csrow_re):
                _add_counts(csrow_path, ((csrow_ce, "ce_count"), (csrow_ue, "ue_count")), controller, csrow)
                self._collect_channels(csrow_path, controller, csrow, channel_ce, channel_ue)

    def _collect_channels(self, csrow_path: str, controller: str, csrow: str,
                          channel_ce: MetricFamily, channel_ue: MetricFamily) -> None:
        for entry in fs.list_dir(csrow_path):
            if not self.channel_glob.fullmatch(entry):
                continue
            match = self.channel_number_re.search(entry)
            if match is None:
                continue
            channel = match.group(1)
            raw_label = read_value(os.path.join(csrow_path, f"ch{channel}_dimm_label"), None)
            label = "unknown" if raw_label is None else valid_utf8(format_dimm_label(raw_label))
            value = read_uint(os.path.join(csrow_path, entry))
            if value is not None:
                channel_ce.add(value, controller, csrow, channel, label)
            # Many drivers expose only the correctable count per channel.
            value = read_uint(os.path.join(csrow_path, f"ch{channel}_ue_count"))
            if value is None:
                log.debug("edac: no ch%s_ue_count in %s", channel, csrow_path)
            else:
                channel_ue.add(value, controller, csrow, channel, label)
