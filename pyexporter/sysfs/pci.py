"""PCI devices from /sys/bus/pci/devices and names from a pci.ids file.

Mirrors prometheus/procfs's sysfs.PciDevices: every entry of
/sys/bus/pci/devices is a link into /sys/devices; the device's location is the
last component of the link target and its parent's the one before (absent
when that is a "pciSSSS:BB" root bus). The identity attributes must be there;
link, NUMA, SR-IOV and power attributes are optional.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from pyexporter import fs
from pyexporter.errors import NoDataError, ParseError
from pyexporter.golang.strconv import parse_float, parse_int, parse_uint
from pyexporter.golang.strings import go_fields, go_trim_space
from pyexporter.sysfs.attrs import read_value

#: Attributes every PCI device directory has; without one the device cannot be described.
IDENTITY_ATTRIBUTES = ("class", "vendor", "device", "subsystem_vendor", "subsystem_device", "revision")
#: procfs's unit suffix of max_link_speed / current_link_speed ("8.0 GT/s PCIe").
LINK_SPEED_UNIT = "GT/s PCIe"
#: bufio.Scanner's limit; procfs stops reading pci.ids at a longer line.
_MAX_IDS_LINE = 64 * 1024


@dataclass(frozen=True, slots=True)
class PciLocation:
    segment: int
    bus: int
    device: int
    function: int

    def strings(self) -> tuple[str, str, str, str]:
        """The label values, formatted as procfs formats them (%04x, %02x, %02x, %x)."""
        return (f"{self.segment:04x}", f"{self.bus:02x}", f"{self.device:02x}", f"{self.function:x}")


@dataclass(slots=True)
class PciDevice:
    location: PciLocation
    parent: PciLocation | None
    ids: dict[str, int] = field(default_factory=dict)
    max_link_speed: float | None = None
    current_link_speed: float | None = None
    max_link_width: float | None = None
    current_link_width: float | None = None
    numa_node: int | None = None
    sriov: dict[str, int] = field(default_factory=dict)
    d3cold_allowed: bool | None = None
    power_state: str | None = None


def parse_pci_location(text: str) -> PciLocation:
    """"SSSS:BB:DD.F" as procfs parses it."""
    parts = text.split(":")
    if len(parts) != 3:
        raise ParseError(f"invalid PCI location {text[:60]!r}")
    parts = parts[:2] + parts[2].split(".")
    if len(parts) != 4:
        raise ParseError(f"invalid PCI location {text[:60]!r}")
    values = [parse_int(p, 16, 32) for p in parts]
    return PciLocation(*values)


def parse_link_speed(text: str) -> float:
    """"8.0 GT/s PCIe" -> 8.0 (GT/s)."""
    head, sep, unit = text.partition(" ")
    if not sep:
        raise ParseError(f"invalid link speed {text[:60]!r}")
    if unit != LINK_SPEED_UNIT:
        raise ParseError(f"unknown link speed unit {text[:60]!r}")
    return parse_float(go_trim_space(head))


def _read_identity(path: str, name: str) -> int:
    value = read_value(os.path.join(path, name))
    if value is None:
        # procfs fails with a not-exist error, which node_exporter reports as no data.
        raise NoDataError(f"{path}: no {name}")
    return parse_int(value, 0, 32) & 0xFFFFFFFF


def read_pci_device(entry: str) -> PciDevice:
    """One /sys/bus/pci/devices/<name> entry."""
    target = fs.read_link(entry)
    if target is None:
        raise ParseError(f"{entry}: not a link")
    target = target.rstrip("/")
    location = parse_pci_location(os.path.basename(target))
    parent_name = os.path.basename(os.path.dirname(target))
    parent = None if parent_name.startswith("pci") else parse_pci_location(parent_name)
    # Read through the resolved target: the same directory the link leads to.
    path = os.path.normpath(os.path.join(os.path.dirname(entry), target))
    device = PciDevice(location, parent)
    for name in IDENTITY_ATTRIBUTES:
        device.ids[name] = _read_identity(path, name)

    for name in ("max_link_speed", "max_link_width", "current_link_speed", "current_link_width", "numa_node"):
        value = read_value(os.path.join(path, name))
        # The kernel prints "Unknown" for links it cannot describe.
        if value is None or value == "" or value.startswith("Unknown"):
            continue
        if name.endswith("_speed"):
            setattr(device, name, parse_link_speed(value))
        elif name.endswith("_width"):
            setattr(device, name, float(parse_int(value)))
        else:
            device.numa_node = parse_int(value, 10, 32)

    for name in ("sriov_drivers_autoprobe", "sriov_numvfs", "sriov_offset", "sriov_stride",
                 "sriov_totalvfs", "sriov_vf_device", "sriov_vf_total_msix"):
        value = read_value(os.path.join(path, name))
        if not value:
            continue
        if name == "sriov_drivers_autoprobe":
            device.sriov[name] = int(parse_int(value, 10, 32) != 0)
        elif name == "sriov_vf_device":
            # A PCI device id, printed in hex without a prefix ("1889" is 0x1889).
            device.sriov[name] = parse_uint(value, 16, 32)
        else:
            device.sriov[name] = parse_uint(value, 10, 64 if name == "sriov_vf_total_msix" else 32)

    value = read_value(os.path.join(path, "d3cold_allowed"))
    if value:
        device.d3cold_allowed = parse_int(value, 10, 32) != 0
    value = read_value(os.path.join(path, "power_state"))
    if value:
        device.power_state = value
    return device


def read_pci_devices(devices_dir: str) -> dict[str, PciDevice]:
    """Every device of /sys/bus/pci/devices by location; NoDataError when the directory is absent."""
    if not fs.is_dir(devices_dir):
        raise NoDataError(f"{devices_dir} does not exist")
    devices: dict[str, PciDevice] = {}
    for name in fs.list_dir(devices_dir):
        device = read_pci_device(os.path.join(devices_dir, name))
        devices[":".join(device.location.strings())] = device
    return devices


@dataclass(slots=True)
class PciIds:
    """The tables of a pci.ids file, keyed by lower-case hex IDs as the file writes them."""

    vendors: dict[str, str] = field(default_factory=dict)
    devices: dict[str, dict[str, str]] = field(default_factory=dict)
    subsystems: dict[str, dict[str, str]] = field(default_factory=dict)
    classes: dict[str, str] = field(default_factory=dict)
    subclasses: dict[str, str] = field(default_factory=dict)
    prog_ifs: dict[str, str] = field(default_factory=dict)


def _id_and_name(line: str) -> tuple[str, str] | None:
    """A pci.ids entry is "<id>  <name>" (two spaces)."""
    head, sep, tail = line.partition("  ")
    if not sep:
        return None
    return go_trim_space(head), go_trim_space(tail)


def parse_pci_ids(text: str) -> PciIds:
    """A pci.ids file, read line by line as node_exporter reads it (unknown lines are skipped)."""
    ids = PciIds()
    vendor = device = base_class = subclass = ""
    in_class = False
    for line in text.split("\n"):
        if len(line) >= _MAX_IDS_LINE:
            break  # bufio.Scanner gives up here and node_exporter keeps what it has.
        if line.endswith("\r"):
            line = line[:-1]
        if line == "" or line.startswith("#"):
            continue
        if line.startswith("C "):
            entry = _id_and_name(line)
            if entry:
                base_class = go_trim_space(entry[0][1:])
                ids.classes[base_class] = entry[1]
                in_class = True
            continue
        tabs = len(line) - len(line.lstrip("\t"))
        if in_class and tabs == 1:
            entry = _id_and_name(line[1:])
            if entry and base_class:
                subclass = base_class + entry[0]
                ids.subclasses[subclass] = entry[1]
            continue
        if in_class and tabs == 2:
            entry = _id_and_name(line[2:])
            if entry and subclass:
                ids.prog_ifs[subclass + entry[0]] = entry[1]
            continue
        if tabs == 0:
            entry = _id_and_name(line)
            if entry:
                vendor, device, in_class = entry[0], "", False
                ids.vendors[vendor] = entry[1]
            continue
        if tabs == 1:
            entry = _id_and_name(line[1:])
            if entry and vendor:
                device = entry[0]
                ids.devices.setdefault(vendor, {})[device] = entry[1]
            continue
        entry = _id_and_name(line[2:])
        if entry and vendor and device:
            table = ids.subsystems.setdefault(f"{vendor}:{device}", {})
            parts = go_fields(entry[0])
            if len(parts) == 2:
                table[f"{parts[0]}:{parts[1]}"] = entry[1]
    return ids
