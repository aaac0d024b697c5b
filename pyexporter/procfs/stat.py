"""/proc/stat, parsed as prometheus/procfs parses it (used by the cpu and stat collectors).

Known keys are parsed strictly (a malformed `btime`, `intr`, `softirq` or `cpu`
line fails the whole file, as in procfs); unknown keys and lines with fewer
than two fields are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_float, parse_int, parse_uint
from pyexporter.golang.strings import go_fields, go_lines

#: USER_HZ: /proc/stat counts CPU time in ticks of 1/100 s on every Linux
#: architecture (the kernel converts from its internal HZ), as procfs assumes.
USER_HZ = 100.0
#: procfs enlarges its Scanner buffer to 1 MiB for long `intr` lines.
MAX_LINE = 1024 * 1024

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


def parse_cpu_line(parts: list[str]) -> tuple[int | None, CPUStat]:
    """A `cpu` / `cpuN` line: (N or None for the total, the times in seconds).

    procfs scans up to ten values and tolerates fewer (older kernels have no
    steal/guest columns); the missing ones stay zero.
    """
    if not parts:
        raise ParseError("empty cpu line")
    name = parts[0]
    values = []
    for text in parts[1:1 + len(_CPU_FIELDS)]:
        values.append(parse_float(text) / USER_HZ)
    stat = CPUStat(*values)
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


def parse_stat(text: str) -> Stat:
    """The whole of /proc/stat."""
    boot_time = irq_total = ctxt = created = running = blocked = softirq_total = 0
    cpu_total = CPUStat()
    cpus: dict[int, CPUStat] = {}
    irq: tuple[int, ...] = ()
    softirq = SoftIRQStat()
    for line in go_lines(text, MAX_LINE):
        parts = go_fields(line)
        if len(parts) < 2:
            continue
        key = parts[0]
        if key == "btime":
            boot_time = parse_uint(parts[1])
        elif key == "intr":
            irq_total = parse_uint(parts[1])
            irq = tuple(parse_uint(count) for count in parts[2:])
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
