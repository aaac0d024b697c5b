"""/proc/interrupts's parser, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.interrupts import Interrupt, parse_interrupts

INTERRUPTS = """           CPU0       CPU1
  0:         18          0  IR-IO-APIC-edge      timer
 16:     328511     322879  IR-IO-APIC-fasteoi   ehci_hcd:usb1, mmc0
NMI:         47       5031   Non-maskable interrupts
ERR:          0
MIS:          0
"""


def test_parse_interrupts():
    got = parse_interrupts(INTERRUPTS)
    assert got == {
        "0": Interrupt("0", "IR-IO-APIC-edge", "timer", ("18", "0")),
        "16": Interrupt("16", "IR-IO-APIC-fasteoi", "ehci_hcd:usb1, mmc0", ("328511", "322879")),
        "NMI": Interrupt("NMI", "Non-maskable interrupts", "", ("47", "5031")),
    }


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("CPU0\n", {}),
        # aarch64: no space after the colon
        ("CPU0\nIPI0:1 Rescheduling interrupts\n",
         {"IPI0": Interrupt("IPI0", "Rescheduling interrupts", "", ("1",))}),
        ("CPU0\n 12: 5 GICv3\n", {"12": Interrupt("12", "GICv3", "", ("5",))}),
        ("CPU0\nno colon here 1 2\n", {}),
        ("CPU0 CPU1\nX: 1\n", {}),  # fewer values than CPUs: skipped like ERR/MIS
    ],
)
def test_parse_interrupts_small(data, expected):
    assert parse_interrupts(data) == expected


def test_parse_interrupts_empty():
    with pytest.raises(ParseError):
        parse_interrupts("")


@pytest.mark.parametrize(("irq", "info", "devices", "values"), [
    # procfs's TestProcInterrupts.
    ("0", "IO-APIC", "2-edge timer", ("49", "0", "0", "0")),
    ("PIW", "Posted-interrupt wakeup event", "", ("0", "0", "0", "0")),
    ("LOC", "Local timer interrupts", "", ("10196", "7429", "8542", "8229")),
])
def test_procfs_interrupts(procfs_fixtures, irq, info, devices, values):
    interrupts = parse_interrupts((procfs_fixtures / "proc" / "interrupts").read_text())
    assert (interrupts[irq].info, interrupts[irq].devices, interrupts[irq].values) == (info, devices, values)


def test_procfs_interrupts_without_the_single_value_rows(procfs_fixtures):
    # procfs counts 47 rows, ERR and MIS (one value each) among them; node_exporter's own parser,
    # which node_exporter 1.12.1 uses, skips those two, and node_exporter wins.
    interrupts = parse_interrupts((procfs_fixtures / "proc" / "interrupts").read_text())
    assert len(interrupts) == 45
    assert "ERR" not in interrupts and "MIS" not in interrupts
