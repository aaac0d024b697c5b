"""bonding: configured and active slaves of Linux bonding masters, from /sys/class/net."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from pyexporter import fs
from pyexporter.errors import NoDataError
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)


@register
class BondingCollector(Collector):
    name = "bonding"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.slaves = gauge(f"{NAMESPACE}_bonding_slaves",
                            "Number of configured slaves per bonding interface.", "master")
        self.active = gauge(f"{NAMESPACE}_bonding_active", "Number of active slaves per bonding interface.",
                            "master")

    def collect(self) -> Iterator[MetricFamily]:
        net = self.roots.sys("class", "net")
        masters = fs.read_sysfs_attr(os.path.join(net, "bonding_masters"))
        if masters is None:
            # No bonding driver loaded: node_exporter reports no data.
            raise NoDataError("no /sys/class/net/bonding_masters")
        slaves_fam, active_fam = self.slaves.family(), self.active.family()
        for master in masters.split():
            slaves = fs.read_sysfs_attr(os.path.join(net, master, "bonding", "slaves"))
            if slaves is None:
                log.debug("bonding: master %s has no readable bonding/slaves", master)
                continue
            configured = active = 0
            for slave in slaves.split():
                configured += 1
                if self._mii_status(net, master, slave) == "up":
                    active += 1
            slaves_fam.add(configured, master)
            active_fam.add(active, master)
        yield from (slaves_fam, active_fam)

    @staticmethod
    def _mii_status(net: str, master: str, slave: str) -> str | None:
        # Current kernels link a master's slaves as lower_<slave>, older ones as slave_<slave>.
        for prefix in ("lower_", "slave_"):
            path = os.path.join(net, master, prefix + slave, "bonding_slave", "mii_status")
            status = fs.read_sysfs_attr(path)
            if status is not None:
                return status.strip()
        return None
