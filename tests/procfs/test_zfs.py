"""ZFS kstat parsers, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.zfs import (
    ObjsetValue,
    parse_kstat_named,
    parse_objset,
    parse_pool_io,
    parse_pool_state,
)

ARCSTATS = (
    "6 1 0x01 91 4368 5266997922 97951858082072\n"
    "name                            type data\n"
    "hits                            4    8772612\n"
    "c_min                           4    33554432\n"
    "arc_need_free                   3    -12\n"
    "text_thing                      7    not-a-number\n"
    "l2-odd.name-x                   4    5\n"
)
IO = (
    "12 3 0x00 1 80 79205351707403 395818011156865\n"
    "nread    nwritten reads    writes   wtime    wlentime wupdate  rtime    rlentime "
    "rupdate  wcnt     rcnt\n"
    "1884160  3206144  22       132      7155162  104112268 79210489694949 24168078 104112268 "
    "79210489849220 0 1\n"
)
OBJSET = (
    "24 1 0x01 7 2160 221611904716 7145015038451\n"
    "name                            type data\n"
    "dataset_name                    7    pool3/dataset with  space\n"
    "writes                          4    4\n"
    "nwritten                        4    12302\n"
    "signed                          3    -1\n"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ARCSTATS, [("hits", 8772612), ("c_min", 33554432), ("arc_need_free", -12), ("l2-odd.name-x", 5)]),
        ("name type data\n", []),
        ("junk\nname type data\nshort 4\nx 4 1\n", [("x", 1)]),
    ],
)
def test_parse_kstat_named(text, expected):
    assert parse_kstat_named(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "\n", "hits 4 1\n", "name type data\nhits 4 -1\n", "name type data\nx 3 1.5\n",
     "name type data\nx 4 18446744073709551616\n"],
)
def test_parse_kstat_named_rejects(text):
    with pytest.raises(ParseError):
        parse_kstat_named(text)


def test_parse_pool_io():
    values = dict(parse_pool_io(IO))
    assert values["nread"] == 1884160 and values["rcnt"] == 1 and len(values) == 12
    assert parse_pool_io("") == []
    assert parse_pool_io("nread only a few fields\n1 2 3\n") == []  # no 12-field header: nothing


@pytest.mark.parametrize(
    "text",
    [IO + "1 2\n", IO.replace("22 ", "x "), IO + "\n"],
)
def test_parse_pool_io_rejects(text):
    with pytest.raises(ParseError):
        parse_pool_io(text)


def test_parse_objset():
    assert parse_objset(OBJSET) == [
        ObjsetValue(True, "pool3/dataset with  space", "writes", 4),
        ObjsetValue(True, "pool3/dataset with  space", "nwritten", 12302),
    ]
    # Counters before the dataset_name line carry no pool and no dataset.
    assert parse_objset("name type data\nwrites 4 1\n") == [ObjsetValue(False, "", "writes", 1)]


@pytest.mark.parametrize("text", ["", "dataset_name 7 x\n", "name type data\nwrites 4 x\n"])
def test_parse_objset_rejects(text):
    with pytest.raises(ParseError):
        parse_objset(text)


@pytest.mark.parametrize(
    ("text", "expected"), [("ONLINE\n", "online"), ("", ""), ("Degraded\nx\n", "degraded")])
def test_parse_pool_state(text, expected):
    assert parse_pool_state(text) == expected
