"""/proc/net/stat/nf_conntrack's parser: tables of cases, and procfs's own expectations on its test tree."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.net_conntrackstat import ConntrackStatEntry, parse_conntrack_stat

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


PROCFS_CONNTRACK_STAT = (
    "entries  searched found new invalid ignore delete delete_list insert insert_failed drop early_drop "
    "icmp_error  expect_new expect_create expect_delete search_restart\n"
    "00000021  00000000 00000000 00000000 00000003 0000588a 00000000 00000000 00000000 00000000 00000000 "
    "00000000 00000000  00000000 00000000 00000000 00000000\n"
    "00000021  00000000 00000000 00000000 00000002 000056a4 00000000 00000000 00000000 00000000 00000000 "
    "00000000 00000000  00000000 00000000 00000000 00000002\n"
    "00000021  00000000 00000000 00000000 00000001 000058d4 00000000 00000000 00000000 00000000 00000000 "
    "00000000 00000000  00000000 00000000 00000000 00000001\n"
    "00000021  00000000 00000000 00000000 0000002f 00005688 00000000 00000000 00000000 00000000 00000000 "
    "00000000 00000000  00000000 00000000 00000000 00000004\n"
)
PROCFS_OLD_CONNTRACK_STAT = (
    "entries  searched found new invalid ignore delete delete_list insert insert_failed drop early_drop "
    "icmp_error  expect_new expect_create expect_delete\n"
    "0000002b  0003159f 02e6786a 00142562 0001bf93 00e1a051 00142537 000b8fe0 000b900b 00000000 00000000 "
    "00000000 0001b46a  00000000 00000000 00000000\n"
)


def test_procfs_conntrack_stat():
    # procfs's TestParseConntrackStat: (invalid, ignore, search_restart) per CPU; the rest are 0 but entries.
    entries = parse_conntrack_stat(PROCFS_CONNTRACK_STAT)
    assert [(e.entries, e.invalid, e.ignore, e.search_restart) for e in entries] == [
        (33, 3, 22666, 0), (33, 2, 22180, 2), (33, 1, 22740, 1), (33, 47, 22152, 4)]
    assert {(e.found, e.insert, e.insert_failed, e.drop, e.early_drop) for e in entries} == {(0, 0, 0, 0, 0)}


def test_procfs_old_conntrack_stat():
    # procfs's TestParseOldConntrackStat: a kernel without the search_restart column.
    (entry,) = parse_conntrack_stat(PROCFS_OLD_CONNTRACK_STAT)
    assert entry == ConntrackStatEntry(43, 202143, 48658538, 1320290, 114579, 14786641, 1320247, 757728,
                                       757771, 0, 0, 0, 0)
