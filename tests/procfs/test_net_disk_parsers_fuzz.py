"""The /proc parsers of the network and disk collectors raise ParseError and nothing else."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyexporter.errors import ParseError
from pyexporter.procfs.diskstats import parse_diskstats, parse_udev_properties
from pyexporter.procfs.mdstat import parse_mdstat
from pyexporter.procfs.net_arp import parse_arp
from pyexporter.procfs.net_conntrackstat import parse_conntrack_stat
from pyexporter.procfs.net_dev import parse_net_dev
from pyexporter.procfs.net_ip_socket import parse_socket_summary
from pyexporter.procfs.net_sockstat import parse_sockstat
from pyexporter.procfs.net_softnet import parse_softnet
from pyexporter.procfs.netstat import parse_net_stats, parse_snmp6

PARSERS = [parse_net_dev, parse_arp, parse_conntrack_stat, parse_sockstat, parse_softnet,
           parse_socket_summary, parse_diskstats, parse_udev_properties, parse_mdstat, parse_net_stats,
           parse_snmp6]

# Text shaped like /proc files: digits, hex, separators, a few keywords, and arbitrary characters.
_ALPHABET = st.sampled_from([*"0123456789abcdefx:/[]()_ =%\n\t -SFU", "blocks ", "recovery ", "resync",
                             "md0 : active raid1 ", "\u3000", "\x00"])
PROCLIKE = st.lists(_ALPHABET, max_size=120).map("".join)


@pytest.mark.parametrize("parse", PARSERS, ids=lambda p: p.__name__)
@settings(max_examples=150, deadline=None)
@given(text=st.one_of(PROCLIKE, st.binary(max_size=200).map(lambda b: b.decode("utf-8", "replace"))))
def test_only_parse_error(parse, text):
    try:
        parse(text)
    except ParseError:
        pass
