"""/proc/stat, parsed as prometheus/procfs parses it (used by the cpu and stat collectors).

Known keys are parsed strictly (a malformed `btime`, `intr`, `softirq` or `cpu`
line fails the whole file, as in procfs); unknown keys and lines with fewer
than two fields are skipped.

Big machines print one `intr` counter per interrupt line: tens of thousands
of numbers on one line. node_exporter exposes only their total (the first
number), so the per-line counts are converted only when asked for; the rest of
the line is still checked, in one pass over its bytes, to fail where procfs's
ParseUint of every count would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_float, parse_int, parse_uint
from pyexporter.golang.strings import GO_SPACE_CLASS, go_fields, go_lines

#: USER_HZ: /proc/stat counts CPU time in ticks of 1/100 s on every Linux
#: architecture (the kernel converts from its internal HZ), as procfs assumes.
USER_HZ = 100.0
#: procfs enlarges its Scanner buffer to 1 MiB for long `intr` lines.
MAX_LINE = 1024 * 1024

#: The first field of a line, and where it ends.
_FIRST_FIELD = re.compile(f"[{GO_SPACE_CLASS}]*([^{GO_SPACE_CLASS}]*)")
#: Decimal digits to "1", the ASCII white space strings.Fields splits on to " ", any other byte to "x".
_COUNT_SHAPE = bytes(ord("1") if chr(b).isdigit() and b < 128 else ord(" ") if b in b" \t\n\v\f\r"
                     else ord("x") for b in range(256))
#: A run of 20 digits may exceed a uint64: such a count takes the exact (slow) check.
_LONG_NUMBER = b"1" * 20

_CPU_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal", "guest", "guest_nice")
SOFTIRQ_VECTORS = ("hi", "timer", "net_tx", "net_rx", "block", "block_iopoll", "tasklet", "sched", "hrtimer",
                   "rcu")


@dataclass(frozen=True, slots=True)
class CPUStat:
    """Seconds one CPU (or all of them) spent in each mode."""

    user: float = 0.0
    nice: float = 0.0
    system: float = 0.0
    idle: float = 0.0
    iowait: float = 0.0
    irq: float = 0.0
    softirq: float = 0.0
    steal: float = 0.0
    guest: float = 0.0
    guest_nice: float = 0.0


@dataclass(frozen=True, slots=True)
class SoftIRQStat:
    """Softirq counts per vector, in the kernel's order."""

    hi: int = 0
    timer: int = 0
    net_tx: int = 0
    net_rx: int = 0
    block: int = 0
    block_iopoll: int = 0
    tasklet: int = 0
    sched: int = 0
    hrtimer: int = 0
    rcu: int = 0


@dataclass(frozen=True, slots=True)
class Stat:
    """The parts of /proc/stat; absent lines leave zeros, as in procfs."""

    boot_time: int = 0
    cpu_total: CPUStat = field(default_factory=CPUStat)
    cpu: dict[int, CPUStat] = field(default_factory=dict)
    irq_total: int = 0
    irq: tuple[int, ...] = ()
    context_switches: int = 0
    processes_created: int = 0
    processes_running: int = 0
    processes_blocked: int = 0
    softirq_total: int = 0
    softirq: SoftIRQStat = field(default_factory=SoftIRQStat)


def _ticks(text: str) -> float:
    """strconv.ParseFloat of a tick count; plain decimals (all of them, on a real kernel) without a regex."""
    if len(text) <= 18 and text.isdigit() and text.isascii():
        return float(int(text))
    return parse_float(text)


def parse_cpu_line(parts: list[str]) -> tuple[int | None, CPUStat]:
    """A `cpu` / `cpuN` line: (N or None for the total, the times in seconds).

    procfs scans up to ten values and tolerates fewer (older kernels have no
    steal/guest columns); the missing ones stay zero.
    """
    if not parts:
        raise ParseError("empty cpu line")
    name = parts[0]
    stat = CPUStat(*[_ticks(text) / USER_HZ for text in parts[1:1 + len(_CPU_FIELDS)]])
    if name == "cpu":
        return None, stat
    cpu_id = parse_int(name[3:])
    # procfs stores an id of -1 as the total, whatever the line was named.
    return (None if cpu_id == -1 else cpu_id), stat


def parse_softirq_line(parts: list[str]) -> tuple[int, SoftIRQStat]:
    """`softirq TOTAL HI TIMER ...`: procfs requires all ten vectors."""
    if len(parts) < 2 + len(SOFTIRQ_VECTORS):
        raise ParseError(f"softirq line has {len(parts) - 1} values, {1 + len(SOFTIRQ_VECTORS)} expected")
    numbers = [parse_uint(text) for text in parts[1:2 + len(SOFTIRQ_VECTORS)]]
    return numbers[0], SoftIRQStat(*numbers[1:])


def _plain_counts(text: str) -> bool:
    """True when `text` is ASCII decimal numbers below 20 digits between ASCII blanks: valid uint64s."""
    if not text.isascii():
        return False
    shape = text.encode("ascii").translate(_COUNT_SHAPE)
    return b"x" not in shape and _LONG_NUMBER not in shape


def _intr_counts(tail: str, counts: bool) -> tuple[int, ...]:
    """The counts after the total: checked in one pass over their bytes, converted only if `counts`."""
    if _plain_counts(tail):
        return tuple(map(int, tail.split())) if counts else ()
    # Non-ASCII blanks, long or malformed numbers: procfs's exact rules, count by count.
    values = tuple(parse_uint(count) for count in go_fields(tail))
    return values if counts else ()


def parse_intr_line(rest: str, *, counts: bool = False) -> tuple[int, tuple[int, ...]]:
    """The values of an `intr` line after its key: (total, per-interrupt counts if `counts`).

    Every count must be a decimal uint64, as procfs parses them all; without
    `counts` they are checked but not converted.
    """
    total = _FIRST_FIELD.match(rest)
    return parse_uint(total.group(1)), _intr_counts(rest[total.end():], counts)


def parse_stat(text: str, *, irq_counts: bool = False) -> Stat:
    """The whole of /proc/stat in one pass; `Stat.irq` has the per-interrupt counts only if `irq_counts`."""
    boot_time = irq_total = ctxt = created = running = blocked = softirq_total = 0
    cpu_total = CPUStat()
    cpus: dict[int, CPUStat] = {}
    irq: tuple[int, ...] = ()
    softirq = SoftIRQStat()
    for line in go_lines(text, MAX_LINE):
        first = _FIRST_FIELD.match(line)
        key = first.group(1)
        if key == "intr":
            # The total, then the counts: read in place, the line (hundreds of KiB) is not split.
            total = _FIRST_FIELD.match(line, first.end())
            if not total.group(1):
                continue  # a key without a value, skipped as procfs skips it
            irq_total = parse_uint(total.group(1))
            irq = _intr_counts(line[total.end():], irq_counts)
            continue
        parts = go_fields(line)
        if len(parts) < 2:
            continue
        if key == "btime":
            boot_time = parse_uint(parts[1])
        elif key == "ctxt":
            ctxt = parse_uint(parts[1])
        elif key == "processes":
            created = parse_uint(parts[1])
        elif key == "procs_running":
            running = parse_uint(parts[1])
        elif key == "procs_blocked":
            blocked = parse_uint(parts[1])
        elif key == "softirq":
            softirq_total, softirq = parse_softirq_line(parts)
        elif key.startswith("cpu"):
            cpu_id, cpu_stat = parse_cpu_line(parts)
            if cpu_id is None:
                cpu_total = cpu_stat
            else:
                cpus[cpu_id] = cpu_stat
    return Stat(boot_time, cpu_total, cpus, irq_total, irq, ctxt, created, running, blocked, softirq_total,
                softirq)
