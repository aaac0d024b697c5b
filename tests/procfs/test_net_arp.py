"""/proc/net/arp's parser: tables of cases, and procfs's own expectations on its test tree."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.net_arp import ARPEntry, parse_arp

HEADER = "IP address       HW type     Flags       HW address            Mask     Device\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        (HEADER, []),
        (HEADER + "\n10.0.0.1 0x1 0x2 aa:bb:cc:dd:ee:ff * eth0\n",
         [ARPEntry("10.0.0.1", "aa:bb:cc:dd:ee:ff", 2, "eth0")]),
        ("10.0.0.1 0x1 0x6 aabb.ccdd.eeff * br-1\n", [ARPEntry("10.0.0.1", "aabb.ccdd.eeff", 6, "br-1")]),
    ],
)
def test_parse_arp(text, expected):
    assert parse_arp(text) == expected


@pytest.mark.parametrize(
    "line",
    [
        "10.0.0.1 0x1 0x2 aa:bb:cc:dd:ee:ff * eth0 extra",  # 7 columns
        "10.0.0.1 0x1 0x2 aa:bb:cc:dd:ee *",  # truncated
        "10.0.0.1 0x1 0x2 aa:bb:cc:dd:ee:zz * eth0",  # bad MAC
        "10.0.0.1 0x1 0x2 aa:bb-cc:dd:ee:ff * eth0",  # mixed separators
        "10.0.0.1 0x1 0x100 aa:bb:cc:dd:ee:ff * eth0",  # flags beyond a byte
        "10.0.0.1 0x1 flags aa:bb:cc:dd:ee:ff * eth0",
    ],
)
def test_parse_arp_rejects_bad_lines(line):
    with pytest.raises(ParseError):
        parse_arp(HEADER + line + "\n")


def test_procfs_arp(procfs_fixtures):
    # procfs's TestARP: a complete entry and an incomplete one (flags 0, an all-zero address).
    first, second = parse_arp((procfs_fixtures / "proc" / "net" / "arp").read_text())
    assert first == ARPEntry("192.168.224.1", "00:50:56:c0:00:08", 0x2, "ens33")
    assert second == ARPEntry("192.168.224.2", "00:00:00:00:00:00", 0x0, "ens33")
