"""mdadm: software RAID arrays from /proc/mdstat and /sys/block/md*/md as node_md_*."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from pyexporter.errors import NoDataError
from pyexporter.fs import list_dir, read_text
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.procfs.mdstat import parse_mdstat
from pyexporter.registry import Collector, register
from pyexporter.sysfs.md import Mdraid, MissingAttribute, read_mdraid

log = logging.getLogger(__name__)

#: The node_md_state label values and the mdstat activity state each one reports.
_STATES = (("active", "active"), ("inactive", "inactive"), ("recovering", "recovering"),
           ("resync", "resyncing"), ("check", "checking"))


@register
class MdadmCollector(Collector):
    name = "mdadm"

    def __init__(self, settings) -> None:
        super().__init__(settings)
        md = f"{NAMESPACE}_md"
        self.state = gauge(f"{md}_state", "Indicates the state of md-device.", "device", "state")
        self.disks = gauge(f"{md}_disks", "Number of active/failed/spare disks of device.", "device", "state")
        self.disks_required = gauge(f"{md}_disks_required", "Total number of disks of device.", "device")
        self.blocks = gauge(f"{md}_blocks", "Total number of blocks on device.", "device")
        self.blocks_synced = gauge(f"{md}_blocks_synced", "Number of blocks synced on device.", "device")
        self.raid_disks = gauge(f"{md}_raid_disks", "Number of raid disks on device.", "device")
        self.degraded = gauge(f"{md}_degraded", "Number of degraded disks on device.", "device")

    def _mdraids(self) -> list[Mdraid]:
        # The glob /sys/block/md*/md: arrays with an md/ directory.
        out = []
        for device in list_dir(self.roots.sys("block")):
            md_dir = self.roots.sys("block", device, "md")
            if not device.startswith("md") or not os.path.lexists(md_dir):
                continue
            try:
                out.append(read_mdraid(md_dir, device))
            except MissingAttribute as exc:
                raise NoDataError(f"Not collecting mdraids, file does not exist: {exc}") from None
        return out

    def collect(self) -> Iterator[MetricFamily]:
        try:
            arrays = parse_mdstat(read_text(self.roots.proc("mdstat")))
        except FileNotFoundError:
            raise NoDataError("Not collecting mdstat, file does not exist") from None
        state, disks, required = self.state.family(), self.disks.family(), self.disks_required.family()
        blocks, synced = self.blocks.family(), self.blocks_synced.family()
        for array in arrays:
            log.debug("collecting metrics for device", extra={"device": array.name})
            required.add(array.disks_total, array.name)
            disks.add(array.disks_active, array.name, "active")
            disks.add(array.disks_failed, array.name, "failed")
            disks.add(array.disks_spare, array.name, "spare")
            for label, activity in _STATES:
                state.add(1 if array.activity_state == activity else 0, array.name, label)
            blocks.add(array.blocks_total, array.name)
            synced.add(array.blocks_synced, array.name)
        # As node_exporter: /proc/mdstat's metrics are sent before sysfs is read.
        yield from (state, disks, required, blocks, synced)
        raid_disks, degraded = self.raid_disks.family(), self.degraded.family()
        for md in self._mdraids():
            # No count for containers, inactive arrays and unreadable reshape states: no series.
            if md.disks is not None:
                raid_disks.add(md.disks, md.device)
            degraded.add(md.degraded_disks, md.device)
        yield from (raid_disks, degraded)
