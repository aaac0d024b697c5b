"""time.ParseDuration with Prometheus's long units (pyexporter.golang.duration), as tables."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.golang.duration import parse_go_duration


@pytest.mark.parametrize(("text", "seconds"), [
    ("0", 0.0), ("1s", 1.0), ("5s", 5.0), ("1m30s", 90.0), ("1.5h", 5400.0), ("2h", 7200.0), ("300ms", 0.3),
    ("2us", 2e-6), ("2\u00b5s", 2e-6), ("2\u03bcs", 2e-6), ("10ns", 1e-8), ("-1s", -1.0), ("+2m", 120.0),
    (".5s", 0.5), ("1.s", 1.0), ("1h1m1s1ms", 3661.001),
])
def test_parse_go_duration(text, seconds):
    assert parse_go_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "text", ["", "1", "5", "s", "1d", "1 s", " 5s", ".s", "1s2", "--1s", "1.2.3s", "1S", "5x", "1m 2s"],
)
def test_parse_go_duration_rejects(text):
    with pytest.raises(ParseError):
        parse_go_duration(text)


def test_parse_go_duration_options():
    # The command line also takes Prometheus's long units and refuses negative timeouts.
    assert parse_go_duration("1d", long_units=True) == 86400.0
    assert parse_go_duration("1w2d", long_units=True) == 777600.0
    assert parse_go_duration("1y", long_units=True) == 31536000.0
    assert parse_go_duration("5s", negative=False) == 5.0
    with pytest.raises(ParseError):
        parse_go_duration("-1s", negative=False)
    with pytest.raises(ParseError):
        parse_go_duration("1d")
