"""Parsers of /sys/devices/system/cpu files, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.sysfs.cpu import Vulnerability, parse_cpu_list, parse_vulnerability


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,3-5,9\n", [1, 3, 4, 5, 9]), ("0-2,8,10-11\n", [0, 1, 2, 8, 10, 11]), ("\n", []), ("", []),
     ("0", [0]), ("2-2", [2]), ("4-2", []), ("65537", [1])],  # procfs keeps CPU numbers as uint16
)
def test_parse_cpu_list(text, expected):
    assert parse_cpu_list(text) == expected


@pytest.mark.parametrize("text", ["a", "1-2-3", "-1", "1-", "-", "1,,x", "0-99999999", "0-65536", "1 ,2"])
def test_parse_cpu_list_rejects(text):
    with pytest.raises(ParseError):
        parse_cpu_list(text)


@pytest.mark.parametrize(("text", "cpus"), [
    # procfs's TestIsolatedParsingCPU.
    ("", []), ("1\n", [1]), ("1", [1]), ("1,2", [1, 2]), ("1-2", [1, 2]), ("1-3", [1, 2, 3]),
    ("1,2-4", [1, 2, 3, 4]), ("1,3-4", [1, 3, 4]), ("1,3-4,7,20-21", [1, 3, 4, 7, 20, 21]), ("1,", [1]),
    ("1,2-", None), ("1,-3", None),
])
def test_procfs_cpu_range(text, cpus):
    if cpus is None:
        with pytest.raises(ParseError):
            parse_cpu_list(text)
    else:
        assert parse_cpu_list(text) == cpus


def test_procfs_isolated_cpus(procfs_fixtures):
    # procfs's TestIsolatedCPUs.
    text = (procfs_fixtures / "sys/devices/system/cpu/isolated").read_text()
    assert parse_cpu_list(text) == [1, 2, 3, 4, 5, 6, 7, 9]


@pytest.mark.parametrize(("codename", "state", "mitigation"), [
    # procfs's TestFS_CPUVulnerabilities.
    ("tsx_async_abort", "not affected", ""),
    ("spec_store_bypass", "mitigation", "Speculative Store Bypass disabled via prctl"),
    ("retbleed", "mitigation", "untrained return thunk; SMT enabled with STIBP protection"),
    ("spectre_v1", "mitigation", "usercopy/swapgs barriers and __user pointer sanitization"),
    ("spectre_v2", "mitigation",
     "Retpolines, IBPB: conditional, STIBP: always-on, RSB filling, PBRSB-eIBRS: Not affected"),
    ("mds", "vulnerable", ""),
    ("mmio_stale_data", "vulnerable", "Clear CPU buffers attempted, no microcode"),
    ("srbds", "unknown", "Dependent on hypervisor status"),
    ("itlb_multihit", "unknown", "KVM: Mitigation: VMX unsupported"),
])
def test_procfs_vulnerabilities(procfs_fixtures, codename, state, mitigation):
    text = (procfs_fixtures / "sys/devices/system/cpu/vulnerabilities" / codename).read_text()
    assert parse_vulnerability(codename, text) == Vulnerability(codename, state, mitigation)
