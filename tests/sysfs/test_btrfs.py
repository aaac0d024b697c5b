"""The parsers of /sys/fs/btrfs files, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.sysfs.btrfs import layout_ratio, parse_commit_stats, read_btrfs_stats


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


@pytest.mark.parametrize(("uuid", "label", "devices", "allocation", "commits"), [
    # procfs's TestFSBtrfsStats: (layout, total bytes, ratio) of data, metadata and system; commit_stats.
    ("0abb23a9-579b-43e6-ad30-227ef47fcb9d", "fixture", 2,
     {"data": ("raid0", 2147483648, 1), "metadata": ("raid1", 1073741824, 2),
      "system": ("raid1", 8388608, 2)},
     (258051, 1000, 51462, 47836090)),
    ("7f07c59f-6136-449c-ab87-e1cf2328731b", "", 4,
     {"data": ("raid5", 644087808, 4 / 3), "metadata": ("raid6", 429391872, 4 / 2),
      "system": ("raid6", 16777216, 4 / 2)},
     (0, 0, 0, 0)),
])
def test_procfs_btrfs_stats(procfs_fixtures, uuid, label, devices, allocation, commits):
    stats = read_btrfs_stats(str(procfs_fixtures / "sys/fs/btrfs" / uuid), uuid)
    assert (stats.uuid, stats.label, len(stats.device_sizes)) == (uuid, label, devices)
    for group, (layout, total_bytes, ratio) in allocation.items():
        usage = stats.allocation[group].layouts[layout]
        assert (usage.total_bytes, usage.ratio) == (total_bytes, ratio)
    assert (stats.commits, stats.last_commit_ms, stats.max_commit_ms, stats.total_commit_ms) == commits
