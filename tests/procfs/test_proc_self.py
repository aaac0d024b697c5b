"""Parsers of /proc/<pid>/stat, limits and net/netstat (the exporter's own process_* metrics)."""

from __future__ import annotations

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.proc_limits import UNLIMITED, ProcLimits, parse_proc_limits
from pyexporter.procfs.proc_netstat import ProcNetstatOctets, parse_proc_netstat
from pyexporter.procfs.proc_stat import ProcStat, parse_proc_stat

# --- stat ----------------------------------------------------------------------------------------------

#: After the command name: state, then 41 numbers; utime 11, stime 12, starttime 19, vsize 20, rss 21
#: (counting the state as 0).
STAT_TAIL = ("S 1 2 3 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 3 0 12345 28311552 4321 "
             "18446744073709551615 1 1 0 0 0 0 0 16781312 0 0 0 17 1 0 0 0 0 0 0")


@pytest.mark.parametrize(("text", "expected"), [
    (f"4242 (python3) {STAT_TAIL}\n", ProcStat(250, 75, 12345, 28311552, 4321)),
    # The name may hold spaces and parentheses: it ends at the last ")".
    (f"4242 (a (b) c) {STAT_TAIL}\n", ProcStat(250, 75, 12345, 28311552, 4321)),
    (f"4242 (x)) {STAT_TAIL}", ProcStat(250, 75, 12345, 28311552, 4321)),
    # Fields beyond the 42 procfs scans (newer kernels add some) are ignored.
    (f"4242 (x) {STAT_TAIL} 7 8 9\n", ProcStat(250, 75, 12345, 28311552, 4321)),
])
def test_parse_proc_stat(text, expected):
    assert parse_proc_stat(text) == expected


@pytest.mark.parametrize("text", [
    "",
    "4242 python3 S 1 2 3\n",                                 # no parentheses
    "4242 (python3)",                                         # nothing after the name
    f"4242 (python3) {STAT_TAIL.rsplit(' ', 1)[0]}\n",         # one number short (truncated)
    f"4242 (python3) {STAT_TAIL.replace(' 250 ', ' x ')}\n",   # utime not a number
    f"4242 (python3) {STAT_TAIL.replace(' 250 ', ' -250 ')}\n",  # utime is unsigned
    f"4242 (python3) {STAT_TAIL.replace(' 28311552 ', ' 99999999999999999999999 ')}\n",  # out of range
    "\x00\xff garbage (((",
])
def test_parse_proc_stat_refuses(text):
    with pytest.raises(ParseError):
        parse_proc_stat(text)


# --- limits --------------------------------------------------------------------------------------------

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


# --- net/netstat ---------------------------------------------------------------------------------------

NETSTAT = ("TcpExt: SyncookiesSent SyncookiesRecv\nTcpExt: 0 7\n"
           "IpExt: InNoRoutes InOctets OutOctets InMcastOctets\nIpExt: 0 123456789 98765 1\n"
           "MPTcpExt: MPCapableSYNRX\nMPTcpExt: 0\n")


@pytest.mark.parametrize(("text", "expected"), [
    (NETSTAT, ProcNetstatOctets(123456789.0, 98765.0)),
    (NETSTAT.replace("\n", "\r\n"), ProcNetstatOctets(123456789.0, 98765.0)),
    ("", ProcNetstatOctets()),
    ("TcpExt: SyncookiesSent\nTcpExt: 0\n", ProcNetstatOctets()),               # no IpExt
    ("IpExt: InOctets\nIpExt: 5\n", ProcNetstatOctets(5.0, None)),
    ("IpExt: InOctets OutOctets\nIpExt: 1e3 0x1p4\n", ProcNetstatOctets(1000.0, 16.0)),  # ParseFloat's forms
    ("IpExt:\n", ProcNetstatOctets()),                                         # a lone name, no fields
    ("TcpExt: A\nTcpExt: 1\nMPTcpExt:\n", ProcNetstatOctets()),                # ... after a full pair
    ("TcpExt: A B\nTcpExt: 1 " + "9" * 25 + "\n", ProcNetstatOctets()),         # long: the general parser
])
def test_parse_proc_netstat(text, expected):
    assert parse_proc_netstat(text) == expected


@pytest.mark.parametrize("text", [
    NETSTAT.rsplit("\n", 2)[0] + "\n",                      # truncated: the last names have no values
    "IpExt: InOctets OutOctets\nIpExt: 1\n",                 # one value short
    "IpExt: InOctets\nIpExt:  5\n",                          # two spaces: an extra empty field
    "IpExt: InOctets\nIpExt: five\n",                        # not a number
    "TcpExt: A\nTcpExt: x\nIpExt: InOctets\nIpExt: 5\n",     # any bad value fails the file, as in procfs
    "IpExt: InOctets\nIpExt: 1e999\n",                       # out of float64's range
    "IpExt: InOctets\nIpExt: 0x10\n",                        # a hex float needs its p exponent
    "TcpExt: A\nTcpExt: 1x\n",                               # bad in a section nobody reads
    "TcpExt: A\nTcpExt: " + "9" * 400 + "\n",                 # out of range in one, too
])
def test_parse_proc_netstat_refuses(text):
    with pytest.raises(ParseError):
        parse_proc_netstat(text)


def test_the_exporters_own_files_parse():
    # The running kernel's format, whatever this machine is.
    for path, parse in (("/proc/self/stat", parse_proc_stat), ("/proc/self/limits", parse_proc_limits),
                        ("/proc/self/net/netstat", parse_proc_netstat)):
        with open(path) as f:
            parse(f.read())
