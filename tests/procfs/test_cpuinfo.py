"""/proc/cpuinfo's parser: tables of cases, and procfs's own expectations on its test tree."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyexporter.errors import ParseError
from pyexporter.procfs.cpuinfo import ARM, PPC, RISCV, X86, cpuinfo_format, parse_cpuinfo

CPUINFO_X86 = """\
processor\t: 0
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 142
model name\t: Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz
stepping\t: 10
microcode\t: 0xb4
cpu MHz\t\t: 799.998
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
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 142
model name\t: Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz
stepping\t: 10
microcode\t: 0xb4
cpu MHz\t\t: 800.037
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
