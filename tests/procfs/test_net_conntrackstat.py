"""/proc/net/stat/nf_conntrack's parser: tables of cases, and procfs's own expectations on its test tree."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.net_conntrackstat import parse_conntrack_stat

HEADER = ("entries  searched found new invalid ignore delete delete_list insert insert_failed drop "
          "early_drop icmp_error  expect_new expect_create expect_delete search_restart\n")


STAT = HEADER + (
    "00000021  00000000 00000001 00000000 00000003 0000588a 00000000 00000000 00000002 00000000 00000001 "
    "00000000 00000000  00000000 00000000 00000000 00000000\n"
    "00000021  00000000 00000002 00000000 00000002 000056a4 00000000 00000000 00000003 00000001 00000000 "
    "00000004 00000000  00000000 00000000 00000000 0000000a\n"
)


def test_parse_conntrack_stat():
    entries = parse_conntrack_stat(STAT)
    assert [e.ignore for e in entries] == [0x588A, 0x56A4]
    assert [e.search_restart for e in entries] == [0, 10]
    # Linux < 2.6.35: 16 columns, no search_restart.
    old = parse_conntrack_stat(HEADER + " ".join(["1"] * 16) + "\n")
    assert old[0].search_restart == 0 and old[0].early_drop == 1


@pytest.mark.parametrize("text", [HEADER + "1 2 3\n", HEADER + " ".join(["zz"] * 17), HEADER + "1 " * 18,
                                  HEADER + " ".join(["1" * 17] * 17)])
def test_parse_conntrack_stat_rejects(text):
    with pytest.raises(ParseError):
        parse_conntrack_stat(text)


@pytest.mark.parametrize("text", ["", HEADER])
def test_parse_conntrack_stat_empty(text):
    assert parse_conntrack_stat(text) == []
