import os

import pytest

from pyexporter.errors import NoDataError, ParseError
from tests.procfs.test_mdstat import MDSTAT
from tests.support import collect_text, make_collector, samples, write_tree


def mdraid(level, raid_disks="2", degraded="0", sync_completed="none", **extra):
    files = {"level": level, "array_state": "clean", "metadata_version": "1.2", "raid_disks": raid_disks,
             "uuid": "0fbf5f2c", "chunk_size": "524288", "dev-sda/state": "in_sync",
             "dev-sdb/state": "in_sync"}
    if level != "raid0":
        files.update(degraded=degraded, sync_action="idle", sync_completed=sync_completed)
    files.update(extra)
    return {k: v + "\n" for k, v in files.items() if v is not None}


def tree(tmp_path, mdstat=MDSTAT, arrays=None):
    files = {} if mdstat is None else {"proc/mdstat": mdstat}
    for device, attrs in (arrays if arrays is not None else {"md0": mdraid("raid0"),
                                                             "md1": mdraid("raid1", degraded="1")}).items():
        for name, value in attrs.items():
            files[f"sys/block/{device}/md/{name}"] = value
    return write_tree(tmp_path, files)


def test_mdadm_collector(tmp_path):
    collector = make_collector("mdadm", tree(tmp_path))
    got = samples(collector.collect())
    assert got['node_md_state{device="md6",state="recovering"}'] == 1
    assert got['node_md_state{device="md6",state="active"}'] == 0
    assert got['node_md_state{device="md201",state="check"}'] == 1
    assert got['node_md_state{device="md11",state="resync"}'] == 1
    assert got['node_md_state{device="md4",state="inactive"}'] == 1
    assert got['node_md_disks{device="md3",state="spare"}'] == 2
    assert got['node_md_disks{device="md7",state="failed"}'] == 1
    assert got['node_md_disks_required{device="md7"}'] == 4
    assert got['node_md_blocks{device="md10"}'] == 314159265
    assert got['node_md_blocks_synced{device="md6"}'] == 16775552
    assert got['node_md_raid_disks{device="md0"}'] == 2
    assert got['node_md_degraded{device="md0"}'] == 0
    assert got['node_md_degraded{device="md1"}'] == 1
    assert len([k for k in got if k.startswith("node_md_state{")]) == 8 * 5
    assert "# HELP node_md_disks Number of active/failed/spare disks of device.\n" in collect_text(collector)


@pytest.mark.parametrize(
    ("attrs", "raid_disks"),
    [
        (mdraid("raid5", raid_disks="11 (10)"), 11),  # reshaping from 10 to 11 devices
        (mdraid("raid1", raid_disks=""), None),  # an inactive array: raid_disks is empty
        (mdraid("raid1", raid_disks="many"), None),  # procfs leaves a count it cannot read unknown
        (mdraid("container", raid_disks=None), None),  # a container has no raid_disks to read
        (mdraid("imsm", raid_disks="garbage"), None),
    ],
)
def test_arrays_without_a_plain_disk_count_still_serve(tmp_path, attrs, raid_disks):
    got = samples(make_collector("mdadm", tree(tmp_path, mdstat="", arrays={"md9": attrs})).collect())
    assert got.get('node_md_raid_disks{device="md9"}') == raid_disks
    assert 'node_md_degraded{device="md9"}' in got


def test_a_reshape_in_mdstat_sets_no_state(tmp_path):
    # procfs calls it "reshaping", a state node_exporter has no series for: all five read 0.
    mdstat = ("Personalities : [raid5]\nmd42 : active raid5 sda1[3](S) sdd1[0] sde1[1]\n"
              "      1953381440 blocks super 1.2 level 5, 64k chunk, algorithm 2 [3/2] [UU_]\n"
              "      [===>......]  reshape = 56.1% (1096879076/1953381440) finish=1868.1min "
              "speed=7640K/sec\n\n")
    got = samples(make_collector("mdadm", tree(tmp_path, mdstat=mdstat, arrays={})).collect())
    assert [got[f'node_md_state{{device="md42",state="{s}"}}'] for s in
            ("active", "inactive", "recovering", "resync", "check")] == [0, 0, 0, 0, 0]
    assert got['node_md_blocks_synced{device="md42"}'] == 1096879076


def test_missing_mdstat_is_no_data(tmp_path):
    with pytest.raises(NoDataError):
        list(make_collector("mdadm", tree(tmp_path, mdstat=None)).collect())


def test_empty_mdstat(tmp_path):
    got = samples(make_collector("mdadm", tree(tmp_path, mdstat="")).collect())
    assert got == {'node_md_raid_disks{device="md0"}': 2, 'node_md_degraded{device="md0"}': 0,
                   'node_md_raid_disks{device="md1"}': 2, 'node_md_degraded{device="md1"}': 1}


def test_malformed_mdstat(tmp_path):
    with pytest.raises(ParseError):
        list(make_collector("mdadm", tree(tmp_path, mdstat="md0 : active\n")).collect())


def test_no_md_arrays_in_sysfs(tmp_path):
    write_tree(tmp_path, {"sys/block/sda/queue/rotational": "1\n"})
    got = samples(make_collector("mdadm", tree(tmp_path, arrays={})).collect())
    assert not any("raid_disks" in key for key in got) and got


def test_missing_sysfs_attribute_is_no_data(tmp_path):
    arrays = {"md1": mdraid("raid1", uuid=None)}
    with pytest.raises(NoDataError):
        list(make_collector("mdadm", tree(tmp_path, arrays=arrays)).collect())


def test_unreadable_sysfs_attribute_fails(tmp_path):
    arrays = {"md1": mdraid("raid1", degraded="two")}
    with pytest.raises(ParseError):
        list(make_collector("mdadm", tree(tmp_path, arrays=arrays)).collect())
    arrays = {"md1": mdraid("raid1", sync_completed="delayed")}
    with pytest.raises(ParseError):
        list(make_collector("mdadm", tree(tmp_path / "b", arrays=arrays)).collect())


def test_sysfs_array_through_symlink_and_broken_member(tmp_path):
    tree(tmp_path, arrays={"md1": mdraid("raid1", sync_completed="10 / 20")})
    real = tmp_path / "sys/devices/virtual/block/md1"
    real.parent.mkdir(parents=True)
    os.rename(tmp_path / "sys/block/md1", real)
    os.symlink("../devices/virtual/block/md1", tmp_path / "sys/block/md1")
    got = samples(make_collector("mdadm", tmp_path).collect())
    assert got['node_md_raid_disks{device="md1"}'] == 2
    # A component whose state cannot be read fails the collector, as in node_exporter.
    os.symlink("nowhere", real / "md/dev-sdz")
    with pytest.raises(NoDataError):
        list(make_collector("mdadm", tmp_path).collect())
