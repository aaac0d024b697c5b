"""Every parser of the optional procfs collectors raises ParseError and nothing else."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyexporter.collectors.tcpstat import count_sockets
from pyexporter.errors import ParseError
from pyexporter.procfs.buddyinfo import parse_buddyinfo
from pyexporter.procfs.cgroups import parse_cgroups
from pyexporter.procfs.drbd import parse_drbd
from pyexporter.procfs.interrupts import parse_interrupts
from pyexporter.procfs.mountinfo import parse_mountinfo
from pyexporter.procfs.mountstats import parse_mountstats
from pyexporter.procfs.net_stat import parse_lnstat
from pyexporter.procfs.net_xfrm_stat import parse_xfrm_stat
from pyexporter.procfs.pid_stat import parse_pid_stat
from pyexporter.procfs.slabinfo import parse_slabinfo
from pyexporter.procfs.softirqs import parse_softirqs
from pyexporter.procfs.swaps import parse_swaps
from pyexporter.procfs.sys import parse_sysctl_ints, sysctl_fields
from pyexporter.procfs.zoneinfo import parse_zoneinfo
from pyexporter.sysfs.node import parse_node_meminfo, parse_node_numastat

TEXT_PARSERS = [
    parse_buddyinfo, parse_cgroups, parse_drbd, parse_interrupts, parse_lnstat, parse_node_meminfo,
    lambda t: parse_node_numastat(t, "0"), parse_slabinfo, parse_softirqs, parse_swaps,
    lambda t: parse_sysctl_ints(t.split(), "x"), parse_xfrm_stat, parse_zoneinfo, parse_mountstats,
    parse_mountinfo,
]
BYTES_PARSERS = [
    parse_pid_stat, sysctl_fields, lambda b: count_sockets([b]),
]

# Text made of the pieces these files are built from, so that deep paths are reached.
_TOKENS = st.sampled_from([
    " ", "\t", "\n", ":", ",", "(", ")", "/", "=", "0", "1", "-1", "0x1f", "18446744073709551616", "1e3", "x",
    "Node", "zone", "device", "mounted", "on", "with", "fstype", "nfs", "statvers=1.1", "xprt:", "tcp",
    "udp", "rdma", "per-op", "age:", "bytes:", "events:", "opts:", "-", "slabinfo -", "# name", "HI:",
    "protection:", "cs:", "ro:", "ns:", "\r", "\x00", "é",
])
structured_text = st.lists(_TOKENS, max_size=80).map("".join)


# Valid inputs, mutated below: edits near valid input reach the deepest checks.
SEEDS = [
    (parse_mountstats,
     "device s:/e mounted on /m with fstype nfs statvers=1.1\n\topts:\trw,addr=h\n\tage:\t5\n"
     "\tbytes:\t1 2 3 4 5 6 7 8\n\tevents:\t" + "1 " * 27 + "\n\txprt:\ttcp 1 2 3 4 5 6 7 8 9 10 11 12 13\n"
     "\txprt:\tudp 1 2 3 4 5 6 7 8 9 10\n\tper-op statistics\n\tREAD: 1 2 3 4 5 6 7 8\n\n"),
    (parse_mountinfo, "194 21 0:42 / /mnt rw shared:144 - nfs4 s:/e rw,addr=h\n"),
    (parse_zoneinfo, "Node 0, zone DMA\n  per-node stats\n  min 8\n  protection: (0, 1)\n"),
    (parse_slabinfo, "x 1 2 3 4 5 : tunables 0 0 0 : slabdata 1 2 3\n"),
    (parse_interrupts, "CPU0 CPU1\n 0: 1 2 chip dev\nNMI: 1 2 Non-maskable\n"),
    (parse_buddyinfo, "Node 0, zone DMA 1 2 3\nNode 0, zone Normal 4 5 6\n"),
    (parse_softirqs, "CPU0\nHI: 1\nRCU: 2\n"),
    (parse_lnstat, "a b\n00000001 0000000f\n"),
]


@pytest.mark.parametrize(("parse", "seed"), SEEDS)
@settings(max_examples=150, deadline=None)
@given(edits=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 3), _TOKENS), max_size=4))
def test_mutated_inputs_raise_only_parse_error(parse, seed, edits):
    text = seed
    for where, cut, token in edits:
        at = int(where * len(text))
        text = text[:at] + token + text[at + cut:]
    _only_parse_errors(parse, text)


def _only_parse_errors(parse, data):
    try:
        parse(data)
    except ParseError:
        pass


@pytest.mark.parametrize("parse", TEXT_PARSERS)
@settings(max_examples=60, deadline=None)
@given(text=st.one_of(st.text(max_size=300), structured_text))
def test_text_parsers_raise_only_parse_error(parse, text):
    _only_parse_errors(parse, text)


@pytest.mark.parametrize("parse", BYTES_PARSERS)
@settings(max_examples=60, deadline=None)
@given(data=st.one_of(st.binary(max_size=300), structured_text.map(str.encode)))
def test_bytes_parsers_raise_only_parse_error(parse, data):
    _only_parse_errors(parse, data)
