"""bcache's sysfs parsers, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.sysfs.bcache import (
    WritebackRateDebug,
    dehumanize,
    dehumanize_signed,
    parse_priority_stats,
    parse_pseudo_float,
    parse_writeback_rate_debug,
)

DEBUG = ("rate:           1.1M/sec\ndirty:          20.4G\ntarget:         20.4G\n"
         "proportional:   -427.5k\nintegral:       790.0k\nchange:         321.5k/sec\n"
         "next io:        17ms\n")


@pytest.mark.parametrize(("text", "value"), [
    ("0", 0), ("512", 512), ("1.1M", 1150976), ("20.4G", 21894266880), ("427.5k", 437748),
    ("790.0k", 808960), ("1.10k", 2024), ("3X", 0), ("2.5", 2), ("1.5e3", 1500),
])
def test_dehumanize(text, value):
    assert dehumanize(text) == value


@pytest.mark.parametrize("text", ["", "k", "abc", "-5", "1..2k", "nan", "1_0", "99999999999999999999999"])
def test_dehumanize_rejects(text):
    with pytest.raises(ParseError):
        dehumanize(text)


def test_dehumanize_signed():
    assert dehumanize_signed("-1.0k") == -1024
    assert dehumanize_signed("2k") == 2048


@pytest.mark.parametrize(("text", "value"), [("1", 1.0), ("1.1", 1 + 1 / 10.24), ("0.10", 10 / 10.24)])
def test_parse_pseudo_float(text, value):
    assert parse_pseudo_float(text) == value


def test_parse_writeback_rate_debug():
    assert parse_writeback_rate_debug(DEBUG) == WritebackRateDebug(
        rate=1150976, dirty=21894266880, target=21894266880, proportional=-437748, integral=808960,
        change=329204, next_io_ms=17)
    assert parse_writeback_rate_debug("") == WritebackRateDebug()


@pytest.mark.parametrize("text", ["rate: fast/sec\n", "next io: soonms\n", "target:\n", "dirty: -1k\n"])
def test_parse_writeback_rate_debug_rejects(text):
    with pytest.raises(ParseError):
        parse_writeback_rate_debug(text)


@pytest.mark.parametrize(("text", "value"), [
    ("Unused:\t\t99%\nMetadata:\t0%\n", (99, 0)), ("", (0, 0)), ("Average: 5\n", (0, 0)),
])
def test_parse_priority_stats(text, value):
    assert parse_priority_stats(text) == value


@pytest.mark.parametrize("text", ["Unused: lots\n", "Metadata: -1%\n"])
def test_parse_priority_stats_rejects(text):
    with pytest.raises(ParseError):
        parse_priority_stats(text)


@pytest.mark.parametrize(("text", "value"), [
    # procfs's TestDehumanizeTests.
    ("542k", 555008), ("322M", 337641472), ("1.1k", 1124), ("1.9k", 1924), ("1.10k", 2024), ("", None),
])
def test_procfs_dehumanize(text, value):
    if value is None:
        with pytest.raises(ParseError):
            dehumanize(text)
    else:
        assert dehumanize(text) == value


@pytest.mark.parametrize(("text", "value"), [
    # procfs's TestParsePseudoFloatTests, with its tolerance.
    ("1.1", 1.097656), ("1.9", 1.878906), ("1.10", 1.976562),
])
def test_procfs_pseudo_float(text, value):
    assert parse_pseudo_float(text) == pytest.approx(value, abs=0.0001)


def test_procfs_priority_stats():
    # procfs's TestPriorityStats.
    assert parse_priority_stats("Metadata:       5%\n") == (0, 5)
    assert parse_priority_stats("Unused:         99%\nMetadata:       5%\n") == (99, 5)


def test_procfs_writeback_rate_debug():
    # procfs's TestWritebackRateDebug, its lines in one file.
    text = ("rate:           1.7M/sec\ndirty:           20.3G\ntarget:           20.4G\n"
            "proportional:           -1.1k\nintegral:           -251.6k\nchange:           2.6k/sec\n"
            "next io:           -150773ms\n")
    assert parse_writeback_rate_debug(text) == WritebackRateDebug(1765376, 21789409280, 21894266880, -1124,
                                                                  -257624, 2648, -150773)
