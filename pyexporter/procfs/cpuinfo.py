"""/proc/cpuinfo, parsed as prometheus/procfs parses it.

The format differs per architecture and procfs picks the parser by the
architecture node_exporter was built for; `cpuinfo_format()` maps
`platform.machine()` to the same choice. Lines are `key<TAB>: value`; a line
without ": " never matches a key (so an empty `flags\\t:` is ignored), and a
known numeric key with an unparsable value fails the whole file, as in procfs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_float, parse_uint
from pyexporter.golang.strings import go_fields, go_lines, go_trim_space

X86 = "x86"
ARM = "arm"
PPC = "ppc"
RISCV = "riscv"

_MACHINE_FORMATS = (
    (re.compile(r"(x86_64|amd64|i[3-6]86|x86)$"), X86),
    (re.compile(r"(aarch64.*|arm.*)$"), ARM),
    (re.compile(r"ppc64.*$"), PPC),
    (re.compile(r"riscv.*$"), RISCV),
)
_CLOCK = re.compile(r"[\d.]+")


@dataclass(slots=True)
class CPUInfo:
    """One processor's entry; strings stay exactly as written after ": "."""

    processor: int = 0
    vendor_id: str = ""
    cpu_family: str = ""
    model: str = ""
    model_name: str = ""
    stepping: str = ""
    microcode: str = ""
    cpu_mhz: float = 0.0
    cache_size: str = ""
    physical_id: str = ""
    siblings: int = 0
    core_id: str = ""
    cpu_cores: int = 0
    bogomips: float = 0.0
    flags: list[str] = field(default_factory=list)
    bugs: list[str] = field(default_factory=list)


def cpuinfo_format(machine: str) -> str | None:
    """The procfs parser for a `platform.machine()` value; None where procfs has none."""
    for pattern, fmt in _MACHINE_FORMATS:
        if pattern.match(machine.lower()):
            return fmt
    return None


def _split(line: str) -> tuple[str, str | None]:
    """strings.SplitN(line, ": ", 2) with the key trimmed; value None when there is no ": "."""
    key, sep, value = line.partition(": ")
    return go_trim_space(key), (value if sep else None)


def _first_entry(lines: list[str], prefixes: tuple[str, ...] = ("processor",)) -> tuple[str, str, list[str]]:
    """The first non-blank line as (key, value), and the lines after it.

    Every format starts with a `processor : N` line (old 32-bit ARM kernels with
    `Processor : <model>`); procfs refuses a file that does not.
    """
    index = next((i for i, line in enumerate(lines) if go_trim_space(line)), len(lines))
    first = lines[index] if index < len(lines) else ""
    key, value = _split(first)
    if not first.startswith(prefixes) or value is None:
        raise ParseError(f"invalid cpuinfo file: {first[:80]!r}")
    return key, value, lines[index + 1:]


def _entries(lines: list[str]) -> Iterator[tuple[str, str]]:
    """(key, value) of the lines with a ": "; procfs skips the others."""
    for line in lines:
        key, value = _split(line)
        if value is not None:
            yield key, value


def _uint32(value: str) -> int:
    return parse_uint(value, 0, 32)


def _parse_x86(lines: list[str]) -> list[CPUInfo]:
    _, value, rest = _first_entry(lines)
    cpus = [CPUInfo(processor=_uint32(value))]
    for key, value in _entries(rest):
        cpu = cpus[-1]
        if key == "processor":
            cpus.append(CPUInfo(processor=_uint32(value)))
        elif key in ("vendor", "vendor_id"):
            cpu.vendor_id = value
        elif key == "cpu family":
            cpu.cpu_family = value
        elif key == "model":
            cpu.model = value
        elif key == "model name":
            cpu.model_name = value
        elif key == "stepping":
            cpu.stepping = value
        elif key == "microcode":
            cpu.microcode = value
        elif key == "cpu MHz":
            cpu.cpu_mhz = parse_float(value)
        elif key == "cache size":
            cpu.cache_size = value
        elif key == "physical id":
            cpu.physical_id = value
        elif key == "siblings":
            cpu.siblings = _uint32(value)
        elif key == "core id":
            cpu.core_id = value
        elif key == "cpu cores":
            cpu.cpu_cores = _uint32(value)
        elif key in ("cpuid level", "clflush size", "cache_alignment"):
            _uint32(value)  # procfs stores these as numbers: a bad one fails the file
        elif key == "flags":
            cpu.flags = go_fields(value)
        elif key == "bugs":
            cpu.bugs = go_fields(value)
        elif key == "bogomips":
            cpu.bogomips = parse_float(value)
    return cpus


def _parse_arm(lines: list[str]) -> list[CPUInfo]:
    key, value, rest = _first_entry(lines, ("processor", "Processor"))
    cpus: list[CPUInfo] = []
    common = CPUInfo()
    features: str | None = None
    if key == "Processor":
        # Old 32-bit ARM kernels name the model once, before the processors.
        common = CPUInfo(model_name=value)
    else:
        cpus.append(CPUInfo(processor=_uint32(value)))
    for key, value in _entries(rest):
        if key == "processor":
            cpus.append(replace(common, processor=_uint32(value), flags=[], bugs=[]))
        elif key == "BogoMIPS":
            if not cpus:
                cpus.append(replace(common, processor=0, flags=[], bugs=[]))
            cpus[-1].bogomips = parse_float(value)
        elif key == "Features":
            features = value
        elif key == "model name":
            if not cpus:
                raise ParseError("cpuinfo: 'model name' before any processor")
            cpus[-1].model_name = value
    if features is None:
        raise ParseError("cpuinfo: no Features line")
    for cpu in cpus:
        cpu.flags = go_fields(features)
    return cpus


def _parse_ppc(lines: list[str]) -> list[CPUInfo]:
    _, value, rest = _first_entry(lines)
    cpus = [CPUInfo(processor=_uint32(value))]
    for key, value in _entries(rest):
        if key == "processor":
            cpus.append(CPUInfo(processor=_uint32(value)))
        elif key == "cpu":
            cpus[-1].vendor_id = value
        elif key == "clock":
            match = _CLOCK.search(go_trim_space(value))
            cpus[-1].cpu_mhz = parse_float(match.group(0) if match else "")
    return cpus


def _parse_riscv(lines: list[str]) -> list[CPUInfo]:
    _, value, rest = _first_entry(lines)
    cpus = [CPUInfo(processor=_uint32(value))]
    current = 0
    for key, value in _entries(rest):
        if key == "processor":
            # procfs indexes by the processor number after appending one entry;
            # a number that does not follow on is an error there (index out of range).
            current = _uint32(value)
            cpus.append(CPUInfo())
            if current >= len(cpus):
                raise ParseError(f"cpuinfo: processor {current} out of sequence")
            cpus[current].processor = current
        elif key == "hart":
            cpus[current].core_id = value
        elif key == "isa":
            cpus[current].model_name = value
    return cpus


_PARSERS = {X86: _parse_x86, ARM: _parse_arm, PPC: _parse_ppc, RISCV: _parse_riscv}


def parse_cpuinfo(text: str, fmt: str | None = X86) -> list[CPUInfo]:
    """The processors of /proc/cpuinfo in file order, parsed in `fmt` (see `cpuinfo_format`)."""
    parser = _PARSERS.get(fmt or "")
    if parser is None:
        raise ParseError(f"parsing /proc/cpuinfo is not implemented for {fmt or 'this architecture'}")
    return parser(go_lines(text))
