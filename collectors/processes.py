"""processes: process and thread counts by state from /proc/<pid>/stat (node_processes_*).

Walks every numeric directory of procfs as node_exporter does: a process's
stat gives its state and thread count, its task/ directory the state of each
thread. Processes and threads routinely exit during the walk; their files
then vanish (ENOENT) or refuse to be read (ESRCH), and they are skipped.
"""

from __future__ import annotations

import errno
from collections import Counter
from collections.abc import Iterator

from pyexporter.errors import ParseError
from pyexporter.fs import is_dir, list_dir, read_file
from pyexporter.golang.strconv import parse_int
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.procfs.pid_stat import parse_pid_stat
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import read_uint_file

#: A process or thread that exited between listing and reading.
_VANISHED = frozenset({errno.ENOENT, errno.ESRCH})


def _pid(name: str) -> int | None:
    """The process id a procfs entry names, or None for the other entries (self, net, ...)."""
    if name.isdigit() and name.isascii():
        return int(name)
    try:
        return parse_int(name)
    except ParseError:
        return None


@register
class ProcessesCollector(Collector):
    name = "processes"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        prefix = f"{NAMESPACE}_processes"
        self.threads = gauge(f"{prefix}_threads", "Allocated threads in system")
        self.max_threads = gauge(f"{prefix}_max_threads", "Limit of threads in the system")
        self.threads_state = gauge(
            f"{prefix}_threads_state", "Number of threads in each state.", "thread_state"
        )
        self.state = gauge(f"{prefix}_state", "Number of processes in each state.", "state")
        self.pids = gauge(f"{prefix}_pids", "Number of PIDs")
        self.max_processes = gauge(f"{prefix}_max_processes", "Number of max PIDs limit")

    def _read_stat(self, path: str) -> tuple[str, int] | None:
        """The parsed stat file, or None when its process is gone."""
        try:
            return parse_pid_stat(read_file(path))
        except OSError as exc:
            if exc.errno in _VANISHED:
                return None
            raise

    def _count_threads(self, task: str, pid: int, pid_state: str, thread_states: Counter[str]) -> None:
        try:
            tids = list_dir(task)
        except OSError as exc:
            if exc.errno in _VANISHED:
                return
            raise
        for name in tids:
            tid = _pid(name)
            if tid is None:
                continue
            if tid == pid:
                # The leader's state is the process's, already read.
                thread_states[pid_state] += 1
                continue
            stat = self._read_stat(f"{task}/{tid}/stat")
            if stat is not None:
                thread_states[stat[0]] += 1

    def collect(self) -> Iterator[MetricFamily]:
        proc = self.roots.proc().rstrip("/") or "/"
        pids = 0
        threads = 0
        states: Counter[str] = Counter()
        thread_states: Counter[str] = Counter()
        for name in list_dir(proc):
            pid = _pid(name)
            if pid is None:
                continue
            stat = self._read_stat(f"{proc}/{pid}/stat")
            if stat is None:
                continue
            state, num_threads = stat
            pids += 1
            states[state] += 1
            threads += num_threads
            task = f"{proc}/{pid}/task"
            if num_threads == 1:
                # A single-threaded process's task/ holds only its leader, whose
                # state is the process's: one stat() instead of listing it.
                if is_dir(task):
                    thread_states[state] += 1
            else:
                self._count_threads(task, pid, state, thread_states)

        # In node_exporter's order: each limit is read after what comes before it was sent.
        yield self.threads.one(threads)
        yield self.max_threads.one(read_uint_file(self.roots.proc("sys", "kernel", "threads-max")))
        state_family = self.state.family()
        for state, count in states.items():
            state_family.add(count, state)
        yield state_family
        thread_state_family = self.threads_state.family()
        for state, count in thread_states.items():
            thread_state_family.add(count, state)
        yield thread_state_family
        max_pids = read_uint_file(self.roots.proc("sys", "kernel", "pid_max"))
        yield self.pids.one(pids)
        yield self.max_processes.one(max_pids)
