"""Inputs that would emit one series twice never produce a duplicate sample (Prometheus would reject
the whole scrape): the first one is served and the duplicate is logged, once per series."""

from __future__ import annotations

import re

import pytest

from tests.robustness.exporter import Exporter, check_exposition
from tests.robustness.tree import build_tree, tree_flags
from tests.support import write_tree

SCRAPES = 3

MOUNTINFO = (
    "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    # The same mount listed twice (as a bind of a mount onto itself shows it).
    "22 21 8:2 / /data rw,relatime shared:2 - ext4 /dev/sda2 rw\n"
    "23 21 8:2 / /data rw,relatime shared:2 - ext4 /dev/sda2 rw\n"
    # Another filesystem of the same name mounted over it, read-only: same labels, other values.
    "24 22 8:3 / /data ro,relatime shared:3 - ext4 /dev/sda2 ro\n"
    # A bind mount elsewhere is another mount point: two series, no duplicate.
    "25 21 8:2 / /data2 rw,relatime shared:2 - ext4 /dev/sda2 rw\n"
)


@pytest.fixture(scope="module")
def exporter(tmp_path_factory):
    root = build_tree(tmp_path_factory.mktemp("tree"))
    write_tree(root, {
        "proc/1/mountinfo": MOUNTINFO,
        "data2": None,
        "textfile/a.prom": '# HELP dup_value From a.\n# TYPE dup_value gauge\ndup_value{x="1"} 1\n',
        "textfile/b.prom": '# HELP dup_value From a.\n# TYPE dup_value gauge\ndup_value{x="1"} 2\n',
        # Series another collector (loadavg) owns: one of the same type, one of another type.
        "textfile/c.prom": "# TYPE node_load1 gauge\nnode_load1 42\nnode_load5 7\n",
    })
    for name in ("robustness.prom", "other.prom"):
        (root / "textfile" / name).unlink()
    args = ["--collector.disable-defaults", "--collector.filesystem", "--collector.textfile",
            "--collector.loadavg", *tree_flags(root, netdev=False)]
    with Exporter(args, tmp_path_factory.mktemp("log") / "exporter.log") as exp:
        scrapes = [exp.scrape() for _ in range(SCRAPES)]
        yield exp, scrapes


def test_every_scrape_is_valid_without_duplicates(exporter):
    _, scrapes = exporter
    for scrape in scrapes:
        assert scrape.status == 200
        check_exposition(scrape.body)  # fails on any duplicate series


def test_same_mount_twice_serves_the_first(exporter):
    _, scrapes = exporter
    series = check_exposition(scrapes[-1].body).series
    labels = 'device="/dev/sda2",device_error="",fstype="ext4",mountpoint="/data"'
    assert series[f"node_filesystem_readonly{{{labels}}}"] == 0.0  # the first mount is read-write
    assert f"node_filesystem_size_bytes{{{labels}}}" in series
    assert f'node_filesystem_size_bytes{{{labels.replace("/data", "/data2")}}}' in series
    mount_info = [k for k in series if k.startswith("node_filesystem_mount_info{")
                  and 'mountpoint="/data"' in k]
    assert len(mount_info) == 2  # 8:2 and 8:3 differ in their major:minor labels


def test_the_same_series_from_two_textfiles_serves_the_first(exporter):
    _, scrapes = exporter
    series = check_exposition(scrapes[-1].body).series
    assert series['dup_value{x="1"}'] == 1.0


def test_a_series_of_another_collector_in_a_textfile_serves_the_collector(exporter):
    _, scrapes = exporter
    series = check_exposition(scrapes[-1].body).series
    assert series["node_load1"] == 0.21  # /proc/loadavg of the tree, not the textfile's 42
    assert series["node_load5"] == 0.37
    assert check_exposition(scrapes[-1].body).types["node_load5"] == "gauge"


def test_drops_are_logged_once_per_series(exporter):
    # One gather (pyexporter.gather) for every collector, the textfile collector's files included.
    exp, _ = exporter
    log = exp.log()
    # The textfile's node_load1 has its own HELP ("Metric read from ..."), node_load5 another type.
    assert len(re.findall(r"dropped collected metric family node_load1: has help", log)) == 1
    assert len(re.findall(r"dropped collected metric family node_load5: has type untyped but should "
                          r"have gauge", log)) == 1
    assert len(re.findall(r"dropped collected metric node_filesystem_readonly\{.*collected before", log)) == 1
    assert len(re.findall(r"dropped collected metric node_filesystem_size_bytes\{", log)) == 1
    assert len(re.findall(r"dropped collected metric dup_value\{.*collected before", log)) == 1
