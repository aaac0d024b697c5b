"""pcidevice: PCI devices from /sys/bus/pci/devices (identity, link, SR-IOV, power state).

With --collector.pcidevice.names the info metric also carries vendor, device,
subsystem and class names from a pci.ids file: the one given by
--collector.pcidevice.idsfile, else the first of the usual system locations
that opens. Like node_exporter, those default locations are absolute paths of
the exporter's own filesystem (not under --path.rootfs), and without a readable
file every name falls back to its hex ID.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from pyexporter import fs
from pyexporter.flags import BoolFlag, StringFlag
from pyexporter.metrics import NAMESPACE, Desc, MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.pci import PciDevice, PciIds, parse_pci_ids, read_pci_devices

log = logging.getLogger(__name__)

#: Where node_exporter looks for pci.ids when no file is given, in this order.
DEFAULT_PCI_IDS_PATHS = ("/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids")
POWER_STATES = ("D0", "D1", "D2", "D3hot", "D3cold", "unknown", "error")
LOCATION_LABELS = ("segment", "bus", "device", "function")
INFO_LABELS = (*LOCATION_LABELS, "parent_segment", "parent_bus", "parent_device", "parent_function",
               "class_id", "vendor_id", "device_id", "subsystem_vendor_id", "subsystem_device_id", "revision")
NAME_LABELS = ("vendor_name", "device_name", "subsystem_vendor_name", "subsystem_device_name", "class_name")


def load_pci_ids(ids_file: str | None) -> PciIds:
    """The tables of the given or first readable default pci.ids; empty when none can be read."""
    candidates = (ids_file,) if ids_file else DEFAULT_PCI_IDS_PATHS
    for path in candidates:
        try:
            text = fs.read_text(path)
        except OSError as exc:
            log.debug("cannot open PCI IDs file", extra={"file": path, "err": str(exc)})
            continue
        log.debug("loading PCI IDs", extra={"file": path})
        return parse_pci_ids(text)
    return PciIds()


class PciNames:
    """ID -> name lookups as node_exporter does them: the bare hex ID when a name is unknown."""

    def __init__(self, ids: PciIds) -> None:
        self.ids = ids

    def vendor(self, vendor_id: str) -> str:
        key = vendor_id.removeprefix("0x").lower()
        return self.ids.vendors.get(key, key)

    def device(self, vendor_id: str, device_id: str) -> str:
        vendor = vendor_id.removeprefix("0x").lower()
        device = device_id.removeprefix("0x").lower()
        return self.ids.devices.get(vendor, {}).get(device, device)

    def subsystem(self, vendor_id: str, device_id: str, sub_vendor_id: str, sub_device_id: str) -> str:
        key = f"{vendor_id.removeprefix('0x')}:{device_id.removeprefix('0x')}"
        sub_key = f"{sub_vendor_id.removeprefix('0x')}:{sub_device_id.removeprefix('0x')}"
        return self.ids.subsystems.get(key, {}).get(sub_key, sub_device_id.removeprefix("0x"))

    def klass(self, class_id: str) -> str:
        key = class_id.removeprefix("0x").lower()
        if len(key) >= 6 and key[:6] in self.ids.prog_ifs:
            return self.ids.prog_ifs[key[:6]]
        if len(key) >= 4 and key[:4] in self.ids.subclasses:
            return self.ids.subclasses[key[:4]]
        if len(key) >= 2 and key[:2] in self.ids.classes:
            return self.ids.classes[key[:2]]
        return f"Unknown class ({key})"


def _or_minus_one(value: float | None, scale: float = 1.0) -> float:
    return -1.0 if value is None else value * scale


IDS_FILE = StringFlag("collector.pcidevice.idsfile",
                      "Path to pci.ids file to use for PCI device identification.")
NAMES = BoolFlag("collector.pcidevice.names", "Enable PCI device name resolution (requires pci.ids file).")


@register
class PciDeviceCollector(Collector):
    name = "pcidevice"
    default_enabled = False
    flags = (IDS_FILE, NAMES)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        sub = f"{NAMESPACE}_pcidevice"
        self.names = PciNames(load_pci_ids(settings[IDS_FILE])) if settings[NAMES] else None
        labels = INFO_LABELS + (NAME_LABELS if self.names else ())
        self.info = gauge(f"{sub}_info",
                          "Non-numeric data from /sys/bus/pci/devices/<location>, value is always 1.",
                          *labels)

        def per_device(name: str, help_text: str, *extra: str) -> Desc:
            return gauge(f"{sub}_{name}", help_text, *LOCATION_LABELS, *extra)

        self.max_link_speed = per_device("max_link_transfers_per_second",
                                         "Value of maximum link's transfers per second (T/s)")
        self.max_link_width = per_device("max_link_width", "Value of maximum link's width (number of lanes)")
        self.current_link_speed = per_device("current_link_transfers_per_second",
                                             "Value of current link's transfers per second (T/s)")
        self.current_link_width = per_device("current_link_width",
                                             "Value of current link's width (number of lanes)")
        self.power_state = per_device(
            "power_state", "PCIe device power state, one of: D0, D1, D2, D3hot, D3cold, unknown or error.",
            "state")
        self.d3cold_allowed = per_device("d3cold_allowed",
                                         "Whether the PCIe device supports D3cold power state (0/1).")
        self.sriov = {
            "sriov_drivers_autoprobe": per_device(
                "sriov_drivers_autoprobe",
                "Whether SR-IOV drivers autoprobe is enabled for the device (0/1)."),
            "sriov_numvfs": per_device("sriov_numvfs",
                                       "Number of Virtual Functions (VFs) currently enabled for SR-IOV."),
            "sriov_totalvfs": per_device("sriov_totalvfs",
                                         "Total number of Virtual Functions (VFs) supported by the device."),
            "sriov_vf_total_msix": per_device("sriov_vf_total_msix",
                                              "Total number of MSI-X vectors for Virtual Functions."),
        }
        self.numa_node = per_device(
            "numa_node", "NUMA node number for the PCI device. -1 indicates unknown or not available.")

    def _info_values(self, device: PciDevice) -> tuple[str, ...]:
        ids = device.ids
        class_id = f"0x{ids['class']:06x}"
        vendor_id = f"0x{ids['vendor']:04x}"
        device_id = f"0x{ids['device']:04x}"
        sub_vendor_id = f"0x{ids['subsystem_vendor']:04x}"
        sub_device_id = f"0x{ids['subsystem_device']:04x}"
        parent = device.parent.strings() if device.parent else ("*", "*", "*", "*")
        values = (*device.location.strings(), *parent, class_id, vendor_id, device_id, sub_vendor_id,
                  sub_device_id, f"0x{ids['revision']:02x}")
        if self.names is None:
            return values
        names = self.names
        subsystem = names.subsystem(vendor_id, device_id, sub_vendor_id, sub_device_id)
        return (*values, names.vendor(vendor_id), names.device(vendor_id, device_id),
                names.vendor(sub_vendor_id), subsystem, names.klass(class_id))

    def collect(self) -> Iterator[MetricFamily]:
        devices = read_pci_devices(self.roots.sys("bus", "pci", "devices"))
        info = self.info.family()
        families = {desc: desc.family() for desc in (
            self.max_link_speed, self.max_link_width, self.current_link_speed, self.current_link_width,
            self.d3cold_allowed, self.power_state, self.numa_node, *self.sriov.values())}
        for device in devices.values():
            info.add(1, *self._info_values(device))
            loc = device.location.strings()

            # Link values the kernel does not report read -1; speeds are GT/s, exported as T/s.
            families[self.max_link_speed].add(_or_minus_one(device.max_link_speed, 1e9), *loc)
            families[self.current_link_speed].add(_or_minus_one(device.current_link_speed, 1e9), *loc)
            families[self.max_link_width].add(_or_minus_one(device.max_link_width), *loc)
            families[self.current_link_width].add(_or_minus_one(device.current_link_width), *loc)
            families[self.d3cold_allowed].add(1 if device.d3cold_allowed else 0, *loc)
            for name, desc in self.sriov.items():
                families[desc].add(device.sriov.get(name, 0), *loc)
            if device.power_state is not None:
                for state in POWER_STATES:
                    families[self.power_state].add(1 if state == device.power_state else 0, *loc, state)
            # numa_node -1 means "no NUMA information": node_exporter leaves the series out.
            if device.numa_node is not None and device.numa_node != -1:
                families[self.numa_node].add(device.numa_node, *loc)
        yield from (info, *families.values())
