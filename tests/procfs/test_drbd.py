"""/proc/drbd's parser, as tables of cases."""

import pytest

from pyexporter.procfs.drbd import DrbdValue, parse_drbd

DRBD = """version: 8.4.3 (api:1/proto:86-101)
srcversion: 1A9F77B1CA5FF92235C2213

 1: cs:Connected ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----
    ns:10 nr:20 dw:30 dr:40 al:5 bm:6 lo:7 pe:8 ua:9 ap:11 ep:1 wo:d oos:2
 2: cs:WFConnection ro:Secondary/Unknown ds:Diskless/DUnknown
"""


def test_parse_drbd_tracks_devices():
    values = parse_drbd(DRBD)
    # "version:" is not a device number: an (unhandled) key before any device
    assert values[0] == DrbdValue("unknown", "version", "")
    assert DrbdValue("drbd1", "cs", "Connected") in values
    assert DrbdValue("drbd1", "oos", "2") in values
    assert DrbdValue("drbd2", "ds", "Diskless/DUnknown") in values
    # words without exactly one colon are skipped
    assert all(v.key not in ("(api", "C") for v in values)


@pytest.mark.parametrize(("data", "expected"), [("", []), ("x:1", [DrbdValue("unknown", "x", "1")])])
def test_parse_drbd_small(data, expected):
    assert parse_drbd(data) == expected
