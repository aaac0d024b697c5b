"""/proc/net/xfrm_stat's parser, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.net_xfrm_stat import parse_xfrm_stat

XFRM_STAT = "XfrmInError                     1\nXfrmInBufferError       2\nXfrmAcquireError  245\nXfrmNew 9\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [("", {}), ("XfrmInError 1\n", {"XfrmInError": 1}), ("A\t-2\nB +3\n", {"A": -2, "B": 3})],
)
def test_parse_xfrm_stat(data, expected):
    assert parse_xfrm_stat(data) == expected


@pytest.mark.parametrize("data", ["\n", "XfrmInError\n", "XfrmInError 1 2\n", "XfrmInError x\n", "A 1.0\n"])
def test_parse_xfrm_stat_rejects(data):
    with pytest.raises(ParseError):
        parse_xfrm_stat(data)
