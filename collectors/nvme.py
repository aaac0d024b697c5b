"""nvme: NVMe controllers and their namespaces from /sys/class/nvme."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator

from pyexporter.errors import NoDataError, raise_if_parts_failed
from pyexporter.fs import link_loop_error, list_dir, resolve_dir
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import read_value, valid_utf8
from pyexporter.sysfs.nvme import Namespace, parse_namespace

log = logging.getLogger(__name__)

#: nvme0n1, and nvme0c0n1 on multipath setups; the namespace id is the last number.
_NAMESPACE = re.compile(r"nvme[0-9]+(?:c[0-9]+)?n([0-9]+)")
DEVICE_ATTRS = ("firmware_rev", "model", "serial", "state", "cntlid")
NAMESPACE_ATTRS = ("nuse", "size", "queue/logical_block_size")


def namespace_id(entry: str) -> str | None:
    match = _NAMESPACE.search(entry)
    return match.group(1) if match else None


@register
class NVMeCollector(Collector):
    name = "nvme"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        p = f"{NAMESPACE}_nvme_"
        self.info = gauge(p + "info", "Non-numeric data from /sys/class/nvme/<device>, value is always 1.",
                          "device", "firmware_revision", "model", "serial", "state", "cntlid")
        self.ns_info = gauge(p + "namespace_info", "Information about NVMe namespaces. Value is always 1",
                             "device", "nsid", "ana_state")
        self.capacity = gauge(p + "namespace_capacity_bytes",
                              "Capacity of the NVMe namespace in bytes. Computed as namespace_size * "
                              "namespace_logical_block_size", "device", "nsid")
        self.size = gauge(p + "namespace_size_bytes",
                          "Size of the NVMe namespace in bytes. Available in "
                          "/sys/class/nvme/<device>/<namespace>/size", "device", "nsid")
        self.used = gauge(p + "namespace_used_bytes",
                          "Used space of the NVMe namespace in bytes. Available in "
                          "/sys/class/nvme/<device>/<namespace>/nuse", "device", "nsid")
        self.block_size = gauge(p + "namespace_logical_block_size_bytes",
                                "Logical block size of the NVMe namespace in bytes. Usually 4Kb. Available "
                                "in /sys/class/nvme/<device>/<namespace>/queue/logical_block_size",
                                "device", "nsid")

    def namespaces(self, device_dir: str) -> list[Namespace]:
        out = []
        for entry in list_dir(device_dir):
            nsid = namespace_id(entry)
            path = resolve_dir(os.path.join(device_dir, entry)) if nsid else None
            if nsid is None or path is None:
                continue
            values = {}
            for attr in (*NAMESPACE_ATTRS, "ana_state"):
                value = read_value(os.path.join(path, attr))
                if value is not None:
                    values[attr] = value
            if any(attr not in values for attr in NAMESPACE_ATTRS):
                log.debug("nvme: skipping namespace %s: size attributes unreadable", path)
                continue
            out.append(parse_namespace(nsid, values))
        return out

    def collect(self) -> Iterator[MetricFamily]:
        class_dir = self.roots.sys("class", "nvme")
        if not os.path.isdir(class_dir):
            raise NoDataError(f"{class_dir} does not exist")
        info, ns_info = self.info.family(), self.ns_info.family()
        capacity, size, used, block_size = (d.family() for d in (self.capacity, self.size, self.used,
                                                                  self.block_size))
        failures: list[str] = []
        for device in list_dir(class_dir):
            path = resolve_dir(os.path.join(class_dir, device))
            if path is None:
                # A loop of links is broken input (node_exporter fails on it): reported, not hidden.
                loop = link_loop_error(os.path.join(class_dir, device))
                if loop is not None:
                    failures.append(loop)
                continue
            attrs = {attr: read_value(os.path.join(path, attr)) or "" for attr in DEVICE_ATTRS}
            name = valid_utf8(device)
            info.add(1.0, name, *(valid_utf8(attrs[a]) for a in DEVICE_ATTRS))
            for ns in self.namespaces(path):
                nsid = valid_utf8(ns.nsid)
                ns_info.add(1.0, name, nsid, valid_utf8(ns.ana_state))
                capacity.add(ns.size_bytes, name, nsid)
                size.add(ns.size_bytes, name, nsid)
                used.add(ns.used_bytes, name, nsid)
                block_size.add(ns.logical_block_size, name, nsid)
        yield from (info, ns_info, capacity, size, used, block_size)
        raise_if_parts_failed(failures)
