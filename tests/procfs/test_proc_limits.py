"""procfs/proc_limits.py: /proc/<pid>/limits as client_golang's process collector reads it (process_*)."""

from __future__ import annotations

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.proc_limits import UNLIMITED, ProcLimits, parse_proc_limits

LIMITS = """Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max file size             unlimited            unlimited            bytes
Max data size             unlimited            unlimited            bytes
Max stack size            8388608              unlimited            bytes
Max core file size        0                    unlimited            bytes
Max resident set          unlimited            unlimited            bytes
Max processes             62898                62898                processes
Max open files            1024                 1048576              files
Max locked memory         8388608              8388608              bytes
Max address space         unlimited            unlimited            bytes
Max file locks            unlimited            unlimited            locks
Max pending signals       62898                62898                signals
Max msgqueue size         819200               819200               bytes
Max nice priority         0                    0
Max realtime priority     0                    0
Max realtime timeout      unlimited            unlimited            us
"""


@pytest.mark.parametrize(("text", "expected"), [
    (LIMITS, ProcLimits(open_files=1024, address_space=UNLIMITED)),
    (LIMITS.replace("Max address space         unlimited", "Max address space         4294967296"),
     ProcLimits(open_files=1024, address_space=4294967296)),
    ("", ProcLimits()),                                    # empty: nothing known, as in procfs
    (LIMITS.splitlines()[0] + "\n", ProcLimits()),          # the header alone
    # Truncated after the open files line: what was read is kept.
    ("\n".join(LIMITS.splitlines()[:9]) + "\n", ProcLimits(open_files=1024)),
    # A limit procfs does not know is matched but not read.
    (LIMITS + "Max future thing          abc                  abc                  units\n",
     ProcLimits(open_files=1024, address_space=UNLIMITED)),
])
def test_parse_proc_limits(text, expected):
    assert parse_proc_limits(text) == expected


@pytest.mark.parametrize("text", [
    LIMITS + "garbage line\n",                                                   # not a limit line
    LIMITS.replace("Max open files            1024", "Max open files            lots"),  # not a number
    LIMITS.replace("Max open files            1024", "Max open files            -1"),
    LIMITS.replace("Max open files            1024", "Max open files            " + "9" * 30),
])
def test_parse_proc_limits_refuses(text):
    with pytest.raises(ParseError):
        parse_proc_limits(text)


def test_the_exporters_own_file_parses():
    # The running kernel's format, whatever this machine is.
    with open("/proc/self/limits") as f:
        parse_proc_limits(f.read())
