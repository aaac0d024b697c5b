"""/proc/cpuinfo's parser: tables of cases, and procfs's own expectations on its test tree."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyexporter.errors import ParseError
from pyexporter.procfs.cpuinfo import ARM, PPC, RISCV, X86, cpuinfo_format, parse_cpuinfo

#: The lines each processor of this Intel CPU has alike.
X86_MODEL = """\
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 142
model name\t: Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz
stepping\t: 10
microcode\t: 0xb4
"""
CPUINFO_X86 = f"""\
processor\t: 0
{X86_MODEL}cpu MHz\t\t: 799.998
cache size\t: 8192 KB
physical id\t: 0
siblings\t: 2
core id\t\t: 0
cpu cores\t: 1
cpuid level\t: 22
flags\t\t: fpu vme aes avx avx2 constant_tsc
bugs\t\t: cpu_meltdown spectre_v1 spectre_v2 mds swapgs
bogomips\t: 4224.00
power management:

processor\t: 1
{X86_MODEL}cpu MHz\t\t: 800.037
cache size\t: 8192 KB
physical id\t: 1
core id\t\t: 3
flags\t\t: fpu
bugs\t\t:
"""


CPUINFO_ARM64 = """\
processor\t: 0
BogoMIPS\t: 50.00
Features\t: fp asimd evtstrm aes crc32
CPU implementer\t: 0x41

processor\t: 1
BogoMIPS\t: 50.00
Features\t: fp asimd evtstrm aes crc32
"""


CPUINFO_ARMV6 = """\
Processor\t: ARMv6-compatible processor rev 7 (v6l)
BogoMIPS\t: 697.95
Features\t: swp half thumb fastmult vfp edsp java tls
Hardware\t: BCM2708
"""


def test_parse_cpuinfo_x86():
    cpus = parse_cpuinfo(CPUINFO_X86, X86)
    assert [c.processor for c in cpus] == [0, 1]
    first = cpus[0]
    assert (first.vendor_id, first.cpu_family, first.model, first.stepping, first.microcode) == (
        "GenuineIntel", "6", "142", "10", "0xb4")
    assert first.model_name == "Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz"
    assert first.cpu_mhz == 799.998
    assert (first.cache_size, first.physical_id, first.core_id) == ("8192 KB", "0", "0")
    assert first.flags == ["fpu", "vme", "aes", "avx", "avx2", "constant_tsc"]
    assert first.bugs == ["cpu_meltdown", "spectre_v1", "spectre_v2", "mds", "swapgs"]
    # "bugs\t\t:" has no ": ", so it never matches: the list stays empty.
    assert cpus[1].bugs == [] and cpus[1].core_id == "3"


def test_parse_cpuinfo_arm64():
    cpus = parse_cpuinfo(CPUINFO_ARM64, ARM)
    assert [c.processor for c in cpus] == [0, 1]
    assert cpus[1].flags == ["fp", "asimd", "evtstrm", "aes", "crc32"]
    assert cpus[0].bogomips == 50.0


def test_parse_cpuinfo_old_arm_names_model_once():
    cpus = parse_cpuinfo(CPUINFO_ARMV6, ARM)
    assert len(cpus) == 1
    assert cpus[0].model_name == "ARMv6-compatible processor rev 7 (v6l)"
    assert "vfp" in cpus[0].flags


def test_parse_cpuinfo_ppc_and_riscv():
    ppc = parse_cpuinfo("processor\t: 0\ncpu\t\t: POWER9\nclock\t\t: 2166.000000MHz\n"
                        "processor\t: 8\ncpu\t\t: POWER9\n", PPC)
    assert [(c.processor, c.vendor_id, c.cpu_mhz) for c in ppc] == [(0, "POWER9", 2166.0), (8, "POWER9", 0.0)]
    riscv = parse_cpuinfo("processor\t: 0\nhart\t\t: 1\nisa\t\t: rv64imafdc\n"
                          "processor\t: 1\nhart\t\t: 0\nisa\t\t: rv64imafdc\n", RISCV)
    assert [(c.processor, c.core_id, c.model_name) for c in riscv] == [(0, "1", "rv64imafdc"),
                                                                      (1, "0", "rv64imafdc")]


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        ("", X86),
        ("\n\n", X86),
        ("vendor_id\t: x\n", X86),
        ("processor\t: zero\n", X86),
        ("processor:0\n", X86),
        ("processor\t: 0\ncpu MHz\t\t: fast\n", X86),
        ("processor\t: 0\nsiblings\t: 4294967296\n", X86),
        ("processor\t: 0\ncpu MHz\t\t: \n", X86),
        ("processor\t: 0\nprocessor\t: -1\n", X86),
        ("\x00\xff\x01 garbage", X86),
        ("processor\t: 0\nBogoMIPS\t: 1\n", ARM),  # no Features line
        ("model name\t: x\n", ARM),
        ("processor\t: 0\nprocessor\t: 5\n", RISCV),
        ("processor\t: 0\n", None),
        ("processor\t: 0\n", "s390x"),
    ],
)
def test_parse_cpuinfo_rejects(data, fmt):
    with pytest.raises(ParseError):
        parse_cpuinfo(data, fmt)


def test_parse_cpuinfo_truncated_keeps_what_it_read():
    cpus = parse_cpuinfo(CPUINFO_X86[:120], X86)
    assert len(cpus) == 1 and cpus[0].model == "142"


@pytest.mark.parametrize(
    ("machine", "fmt"),
    [("x86_64", X86), ("i686", X86), ("aarch64", ARM), ("armv7l", ARM), ("ppc64le", PPC),
     ("riscv64", RISCV), ("s390x", None), ("mips", None)],
)
def test_cpuinfo_format(machine, fmt):
    assert cpuinfo_format(machine) == fmt


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_parse_cpuinfo_only_raises_parse_error(data):
    for fmt in (X86, ARM, PPC, RISCV):
        try:
            parse_cpuinfo(data.decode("utf-8", "replace"), fmt)
        except ParseError:
            pass


# procfs's TestCPUInfo* inputs (the ARM, PPC and RISC-V ones; its tree's /proc/cpuinfo is x86).
PROCFS_CPUINFO_ARM7_LEGACY = (
    "\n"
    "Processor : ARMv7 Processor rev 5 (v7l)\n"
    "processor : 0\n"
    "BogoMIPS : 2400.00\n"
    "\n"
    "processor : 1\n"
    "BogoMIPS : 2400.00\n"
    "\n"
    "Features : swp half thumb fastmult vfp edsp thumbee neon vfpv3 tls vfpv4 idiva idivt\n"
    "CPU implementer : 0x41\n"
    "CPU architecture: 7\n"
    "CPU variant : 0x0\n"
    "CPU part : 0xc07\n"
    "CPU revision : 5\n"
    "\n"
    "Hardware : sun8i\n"
    "Revision : 0000\n"
    "Serial : 5400503583203c3c040e"
)
PROCFS_CPUINFO_ARM7_LEGACY_V1 = (
    "\n"
    "Processor       : ARMv6-compatible processor rev 5 (v6l)\n"
    "BogoMIPS        : 791.34\n"
    "Features        : swp half thumb fastmult vfp edsp java \n"
    "CPU implementer : 0x41\n"
    "CPU architecture: 6TEJ\n"
    "CPU variant     : 0x1\n"
    "CPU part        : 0xb36\n"
    "CPU revision    : 5\n"
    "\n"
    "Hardware        : IMAPX200\n"
    "Revision        : 0000\n"
    "Serial          : 0000000000000000"
)
# Its ARM, PPC and RISC-V inputs repeat one entry for each processor but the number.
PROCFS_CPUINFO_ARM7 = "\n" + "".join(
    f"processor : {n}\n"
    "model name : ARMv7 Processor rev 3 (v7l)\n"
    "BogoMIPS : 108.00\n"
    "Features : half thumb fastmult vfp edsp neon vfpv3 tls vfpv4 idiva idivt vfpd32 lpae evtstrm crc32\n"
    "CPU implementer : 0x41\n"
    "CPU architecture: 7\n"
    "CPU variant : 0x0\n"
    "CPU part : 0xd08\n"
    "CPU revision : 3\n"
    "\n" for n in range(4)) + "Hardware : BCM2835\nRevision : c03111\n"
PROCFS_CPUINFO_PPC64 = "\n" + "".join(
    f"processor\t: {n}\n"
    "cpu\t\t: POWER7 (architected), altivec supported\n"
    "clock\t\t: 3000.000000MHz\n"
    "revision\t: 2.1 (pvr 003f 0201)\n"
    "\n" for n in range(6)) + (
    "timebase\t: 512000000\n"
    "platform\t: pSeries\n"
    "model\t\t: IBM,8233-E8B\n"
    "machine\t\t: CHRP IBM,8233-E8B\n"
)
PROCFS_CPUINFO_RISCV64 = "\n" + "\n".join(
    f"processor\t: {n}\nhart\t\t: {n}\nisa\t\t: rv64imafdcsu\nmmu\t\t: sv48\n" for n in range(2))


def test_procfs_cpuinfo_x86(procfs_fixtures):
    # procfs's TestCPUInfoX86.
    cpus = parse_cpuinfo((procfs_fixtures / "proc" / "cpuinfo").read_text(), X86)
    assert len(cpus) == 8
    assert cpus[7].processor == 7
    assert cpus[0].vendor_id == "GenuineIntel"
    assert cpus[1].cpu_family == "6"
    assert cpus[2].model == "142"
    assert cpus[3].model_name == "Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz"
    assert cpus[4].siblings == 8
    assert cpus[5].core_id == "1"
    assert cpus[6].cpu_cores == 4
    assert cpus[7].flags[1] == "vme"


def test_procfs_cpuinfo_arm():
    # procfs's TestCPUInfoParseARMLegacy, TestCPUInfoParseARMLegacyV1 and TestCPUInfoParseARM.
    legacy = parse_cpuinfo(PROCFS_CPUINFO_ARM7_LEGACY, ARM)
    assert len(legacy) == 2
    assert legacy[0].model_name == "ARMv7 Processor rev 5 (v7l)"
    assert legacy[1].flags[2] == "thumb"
    v6 = parse_cpuinfo(PROCFS_CPUINFO_ARM7_LEGACY_V1, ARM)
    assert len(v6) == 1
    assert v6[0].model_name == "ARMv6-compatible processor rev 5 (v6l)"
    assert v6[0].flags[2] == "thumb"
    arm7 = parse_cpuinfo(PROCFS_CPUINFO_ARM7, ARM)
    assert len(arm7) == 4
    assert arm7[0].model_name == "ARMv7 Processor rev 3 (v7l)"
    assert arm7[1].flags[1] == "thumb"


def test_procfs_cpuinfo_ppc_and_riscv():
    # procfs's TestCPUInfoParsePPC and TestCPUInfoParseRISCV64.
    ppc = parse_cpuinfo(PROCFS_CPUINFO_PPC64, PPC)
    assert len(ppc) == 6
    assert ppc[2].cpu_mhz == 3000.0
    riscv = parse_cpuinfo(PROCFS_CPUINFO_RISCV64, RISCV)
    assert len(riscv) == 2
    assert riscv[1].core_id == "1"
    assert riscv[1].model_name == "rv64imafdcsu"
