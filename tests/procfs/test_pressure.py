"""/proc/pressure/*'s parser: tables of cases, and procfs's own expectations on its test tree."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyexporter.errors import ParseError
from pyexporter.procfs.pressure import PSILine, PSIStats, parse_psi

IRQ = "full avg10=0.00 avg60=0.00 avg300=0.00 total=8494"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("", PSIStats()),
        (IRQ, PSIStats(full=PSILine(0.0, 0.0, 0.0, 8494))),
        ("some avg10=1.50 avg60=2.00 avg300=3.25 total=42\nnew avg10=x\n",
         PSIStats(some=PSILine(1.5, 2.0, 3.25, 42))),
        # Input after the last number is ignored, as by fmt.Sscanf.
        ("some avg10=0 avg60=0 avg300=0 total=7 extra\n", PSIStats(some=PSILine(0.0, 0.0, 0.0, 7))),
    ],
)
def test_parse_psi(data, expected):
    assert parse_psi(data) == expected


@pytest.mark.parametrize(
    "data",
    ["some\n", "some avg10=0.00\n", "full avg10=x avg60=0 avg300=0 total=1\n",
     "some avg10=0 avg60=0 avg300=0 total=-1\n", "some avg10=0 avg60=0 avg300=0 total=18446744073709551616\n",
     "some \x00\xff\x01"],
)
def test_parse_psi_rejects(data):
    with pytest.raises(ParseError):
        parse_psi(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_parse_psi_only_raises_parse_error(data):
    try:
        parse_psi(data.decode("utf-8", "replace"))
    except ParseError:
        pass


def test_procfs_psi(procfs_fixtures):
    # procfs's TestPSIStats: cpu has only a some line; memory and io have both.
    cpu = parse_psi((procfs_fixtures / "proc/pressure/cpu").read_text())
    assert cpu == PSIStats(PSILine(0.1, 2.0, 3.85, 15))
    for resource in ("memory", "io"):
        assert parse_psi((procfs_fixtures / "proc/pressure" / resource).read_text()) == PSIStats(
            PSILine(0.1, 2.0, 3.85, 15), PSILine(0.2, 3.0, 4.95, 25))


def test_procfs_parse_psi_stats():
    # procfs's TestParsePSIStats: an unknown kind is ignored, a malformed value fails the file.
    assert parse_psi("nonsense haha test=fake") == PSIStats()
    for text in ("some avg10=0.10 avg60=2.00 avg300=3.85 total=oops\n"
                 "full avg10=0.20 avg60=3.00 avg300=teddy total=25",
                 "some avg10=0.10 avg60=2.00 avg300=3.85 total=1\n"
                 "full avg10=0.20 avg60=3.00 avg300=test total=25"):
        with pytest.raises(ParseError):
            parse_psi(text)
