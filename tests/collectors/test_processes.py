import errno
import os
from pathlib import Path

import pytest

import pyexporter.collectors.processes as processes_module
from pyexporter.errors import ParseError
from tests.procfs.test_pid_stat import stat
from tests.support import collect_text, make_collector, samples, write_tree


def _tree(tmp_path):
    return write_tree(tmp_path, {
        "proc/sys/kernel/threads-max": "7801\n",
        "proc/sys/kernel/pid_max": "123\n",
        "proc/1/stat": stat(1, "systemd", "S"),
        "proc/1/task/1/stat": stat(1, "systemd", "S"),
        "proc/10/stat": stat(10, "java", "S", 3),
        "proc/10/task/10/stat": stat(10, "java", "S", 3),
        "proc/10/task/11/stat": stat(11, "java", "R", 3),
        "proc/10/task/12/stat": stat(12, "java", "D", 3),
        "proc/11/stat": stat(11, "kworker", "I"),  # no task directory: no thread states, as node_exporter
        "proc/self/stat": stat(1, "x", "X"),  # not a process directory
        "proc/net/dev": "",
        "proc/cpuinfo": "",
    })


def test_processes_collector(tmp_path):
    collector = make_collector("processes", _tree(tmp_path))
    assert samples(collector.collect()) == {
        "node_processes_threads": 5,
        "node_processes_max_threads": 7801,
        'node_processes_state{state="S"}': 2,
        'node_processes_state{state="I"}': 1,
        'node_processes_threads_state{thread_state="S"}': 2,
        'node_processes_threads_state{thread_state="R"}': 1,
        'node_processes_threads_state{thread_state="D"}': 1,
        "node_processes_pids": 3,
        "node_processes_max_processes": 123,
    }
    text = collect_text(collector)
    assert "# HELP node_processes_pids Number of PIDs\n# TYPE node_processes_pids gauge\n" in text
    assert "# HELP node_processes_threads_state Number of threads in each state.\n" in text


def test_processes_that_vanish_are_skipped(tmp_path, monkeypatch):
    _tree(tmp_path)
    real_read_file = processes_module.read_file

    def read_file(path, *args):
        if path.endswith("/10/stat"):
            raise ProcessLookupError(errno.ESRCH, "No such process")
        if path.endswith("/task/12/stat"):
            raise FileNotFoundError(errno.ENOENT, "gone")
        return real_read_file(path, *args)

    monkeypatch.setattr(processes_module, "read_file", read_file)
    got = samples(make_collector("processes", tmp_path).collect())
    assert got["node_processes_pids"] == 2
    assert got["node_processes_threads"] == 2
    assert 'node_processes_threads_state{thread_state="R"}' not in got


def test_processes_vanished_stat_file(tmp_path):
    _tree(tmp_path)
    os.remove(tmp_path / "proc/11/stat")
    os.remove(tmp_path / "proc/10/task/11/stat")
    got = samples(make_collector("processes", tmp_path).collect())
    assert got["node_processes_pids"] == 2
    assert got['node_processes_threads_state{thread_state="S"}'] == 2


@pytest.mark.parametrize(("path", "content", "error"), [
    ("proc/11/stat", "11 (x) S 1 2\n", ParseError),
    ("proc/11/stat", "", ParseError),
    ("proc/sys/kernel/pid_max", None, FileNotFoundError),  # None: the file is removed
    ("proc/sys/kernel/threads-max", "-1\n", ParseError),
], ids=["malformed-stat", "empty-stat", "missing-limit", "malformed-limit"])
def test_processes_broken_file_fails(tmp_path, path, content, error):
    _tree(tmp_path)
    if content is None:
        os.remove(tmp_path / path)
    else:
        (tmp_path / path).write_text(content)
    with pytest.raises(error):
        list(make_collector("processes", tmp_path).collect())


def test_processes_live_procfs():
    got = samples(make_collector("processes", Path("/")).collect())
    assert got["node_processes_pids"] >= 1
    states = sum(v for k, v in got.items() if k.startswith("node_processes_state{"))
    assert states == got["node_processes_pids"]
