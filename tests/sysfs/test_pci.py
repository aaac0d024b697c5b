"""PCI devices' sysfs parsers and pci.ids: tables of cases, and procfs's own expectations on its test tree."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.sysfs.pci import (
    PciDevice,
    PciLocation,
    parse_link_speed,
    parse_pci_ids,
    parse_pci_location,
    read_pci_devices,
)

PCI_IDS = """\
# comment
8086  Intel Corporation
\t1521  I350 Gigabit Network Connection
\t\t8086 00a3  Ethernet Server Adapter I350-T2
\t\tbroken line without two spaces
1022  Advanced Micro Devices, Inc. [AMD]
\t1634  Renoir PCIe GPP Bridge
C 02  Network controller
\t00  Ethernet controller
C 06  Bridge
\t04  PCI bridge
\t\t00  Normal decode
"""


@pytest.mark.parametrize(("text", "expected"), [
    ("0000:00:1c.0", PciLocation(0, 0, 0x1C, 0)),
    ("10000:ff:1f.7", PciLocation(0x10000, 0xFF, 0x1F, 7)),
    ("0000:00:02", None), ("0000:00.02.1", None), ("0000:00:02.1.1", None), ("", None),
    ("zzzz:00:02.1", None), ("0000:00:02.0x1", None), ("ffffffff:00:00.0", None),
])
def test_parse_pci_location(text, expected):
    if expected is None:
        with pytest.raises(ParseError):
            parse_pci_location(text)
    else:
        assert parse_pci_location(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("8.0 GT/s PCIe", 8.0), ("2.5 GT/s PCIe", 2.5), ("64.0 GT/s PCIe", 64.0),
    ("8.0", None), ("8.0 GT/s", None), ("x GT/s PCIe", None), ("", None), (" GT/s PCIe", None),
])
def test_parse_link_speed(text, expected):
    if expected is None:
        with pytest.raises(ParseError):
            parse_link_speed(text)
    else:
        assert parse_link_speed(text) == expected


def test_parse_pci_ids_tables():
    ids = parse_pci_ids(PCI_IDS)
    assert ids.vendors == {"8086": "Intel Corporation", "1022": "Advanced Micro Devices, Inc. [AMD]"}
    assert ids.devices["1022"] == {"1634": "Renoir PCIe GPP Bridge"}
    assert ids.subsystems["8086:1521"] == {"8086:00a3": "Ethernet Server Adapter I350-T2"}
    assert ids.classes == {"02": "Network controller", "06": "Bridge"}
    assert ids.subclasses == {"0200": "Ethernet controller", "0604": "PCI bridge"}
    assert ids.prog_ifs == {"060400": "Normal decode"}


@pytest.mark.parametrize("text", ["", "\n\n", "\x00\xff garbage", "\t\tno vendor  yet", "C", "x" * 70000])
def test_parse_pci_ids_garbage(text):
    ids = parse_pci_ids(text)
    assert not ids.devices and not ids.subsystems


def _ids(pci_class: int, vendor: int, device: int, subsystem_vendor: int, subsystem_device: int,
         revision: int) -> dict[str, int]:
    return {"class": pci_class, "vendor": vendor, "device": device, "subsystem_vendor": subsystem_vendor,
            "subsystem_device": subsystem_device, "revision": revision}


def test_procfs_pci_devices(procfs_fixtures):
    # procfs's TestPciDevices.
    bridge = PciLocation(0, 0, 2, 1)
    assert read_pci_devices(str(procfs_fixtures / "sys/bus/pci/devices")) == {
        "0000:00:02:1": PciDevice(
            bridge, None, _ids(0x060400, 0x1022, 0x1634, 0x17aa, 0x5095, 0x00), max_link_speed=8.0,
            current_link_speed=8.0, max_link_width=8.0, current_link_width=4.0, numa_node=-1,
            d3cold_allowed=True, power_state="D0"),
        "0000:01:00:0": PciDevice(
            PciLocation(0, 1, 0, 0), bridge, _ids(0x010802, 0xc0a9, 0x540a, 0xc0a9, 0x5021, 0x01),
            max_link_speed=8.0, current_link_speed=8.0, max_link_width=4.0, current_link_width=4.0,
            numa_node=-1, d3cold_allowed=True, power_state="D0"),
        "0000:a2:00:0": PciDevice(
            PciLocation(0, 0xa2, 0, 0), None, _ids(0x020000, 0x8086, 0x159b, 0x8086, 0x0003, 0x02),
            max_link_speed=16.0, current_link_speed=16.0, max_link_width=8.0, current_link_width=8.0,
            numa_node=1,
            sriov={"sriov_drivers_autoprobe": 1, "sriov_numvfs": 0, "sriov_offset": 8, "sriov_stride": 1,
                   "sriov_totalvfs": 128, "sriov_vf_device": 0x1889, "sriov_vf_total_msix": 4294967033},
            d3cold_allowed=True, power_state="D0"),
    }


def test_procfs_parse_device_location():
    # procfs's TestParseDeviceLocation.
    assert parse_pci_location("0001:9b:0c.0") == PciLocation(1, 0x9b, 0xc, 0)
