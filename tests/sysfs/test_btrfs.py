"""The parsers of /sys/fs/btrfs files, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.sysfs.btrfs import layout_ratio, parse_commit_stats


@pytest.mark.parametrize(("layout", "devices", "ratio"), [
    ("single", 3, 1), ("raid0", 1, 1), ("dup", 1, 2), ("raid10", 4, 2), ("raid5", 3, 1.5), ("raid6", 4, 2),
    ("raid1c4", 4, 0),
])
def test_layout_ratio(layout, devices, ratio):
    assert layout_ratio(layout, devices) == ratio


def test_layout_ratio_degenerate():
    assert layout_ratio("raid5", 1) == float("inf")
    assert layout_ratio("raid6", 1) == -1
    assert layout_ratio("raid6", 2) == float("inf")
    assert layout_ratio("raid5", 0) == 0


def test_parse_commit_stats():
    assert parse_commit_stats("commits 1\nother 5\n") == {"commits": 1, "other": 5}
    assert parse_commit_stats("") == {}


@pytest.mark.parametrize("text", ["commits\n", "commits 1 2\n", "commits -1\n", "commits x\n", "\n"])
def test_parse_commit_stats_rejects(text):
    with pytest.raises(ParseError):
        parse_commit_stats(text)
