"""procfs/proc_netstat.py: /proc/<pid>/net/netstat's IpExt octets (process_network_*_bytes_total)."""

from __future__ import annotations

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.proc_netstat import ProcNetstatOctets, parse_proc_netstat

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


def test_the_exporters_own_file_parses():
    # The running kernel's format, whatever this machine is.
    with open("/proc/self/net/netstat") as f:
        parse_proc_netstat(f.read())
