"""PCI devices' sysfs parsers and pci.ids: tables of cases, and procfs's own expectations on its test tree."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.sysfs.pci import PciLocation, parse_link_speed, parse_pci_ids, parse_pci_location

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
