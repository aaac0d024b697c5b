"""/proc/loadavg's parser, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.loadavg import parse_loadavg
from tests.support import parser_tests

test_parse_loadavg, test_parse_loadavg_rejects_bad_input = parser_tests(
    parse_loadavg,
    [
        ("0.02 0.03 0.05 1/497 12345\n", (0.02, 0.03, 0.05)),
        ("1 2 3", (1.0, 2.0, 3.0)),
    ],
    [
        "", "\n", "0.1 0.2", "a b c 1/2 3", "\x00\x00\x00",
        # strconv.ParseFloat refuses what Python's float() takes.
        "1_0 0.1 0.1", "\uff11 0.1 0.1", "0.1\x1c 0.1 0.1",
    ])


def test_procfs_loadavg(procfs_fixtures):
    # procfs's TestLoadAvg.
    assert parse_loadavg((procfs_fixtures / "proc" / "loadavg").read_text()) == (0.02, 0.04, 0.05)


@pytest.mark.parametrize(("text", "expected"), [
    # procfs's Test_parseLoad.
    ("", None), ("0.00 0.03", None), ("malformed line", None),
    ("0.00 0.03 0.05 1/502 33634", (0.0, 0.03, 0.05)),
])
def test_procfs_parse_load(text, expected):
    if expected is None:
        with pytest.raises(ParseError):
            parse_loadavg(text)
    else:
        assert parse_loadavg(text) == expected
