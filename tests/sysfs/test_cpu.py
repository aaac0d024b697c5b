"""Parsers of /sys/devices/system/cpu files, as tables of cases."""

import pytest

from pyexporter.sysfs.cpu import Vulnerability, parse_vulnerability


@pytest.mark.parametrize(("text", "state", "mitigation"), [
    ("Not affected\n", "not affected", ""),
    ("Vulnerable\n", "vulnerable", ""),
    ("Vulnerable: Clear CPU buffers attempted, no microcode; SMT vulnerable\n", "vulnerable",
     "Clear CPU buffers attempted, no microcode; SMT vulnerable"),
    ("Mitigation: PTI\n", "mitigation", "PTI"),
    ("Mitigation:  Retpolines,   IBPB: conditional\n", "mitigation", "Retpolines, IBPB: conditional"),
    ("Unknown: No mitigations\n", "unknown", "No mitigations"),
    ("KVM: Mitigation: VMX disabled\n", "unknown", "KVM: Mitigation: VMX disabled"),
    ("", "unknown", ""),
    ("\x00\xff", "unknown", "\x00\xff"),
])
def test_parse_vulnerability(text, state, mitigation):
    assert parse_vulnerability("x", text) == Vulnerability("x", state, mitigation)
