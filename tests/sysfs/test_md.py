"""md arrays' sysfs attributes: tables of cases, and procfs's own expectations on its test tree."""

import math

import pytest

from pyexporter.errors import ParseError
from pyexporter.sysfs.md import (
    Mdraid,
    MdraidComponent,
    MissingAttribute,
    parse_raid_disks,
    parse_sync_completed,
    read_mdraid,
)
from tests.support import write_tree


@pytest.mark.parametrize(
    ("text", "disks"),
    [
        ("2", 2),
        (" 4\n", 4),
        ("11 (10)", 11),  # a reshape from 10 to 11 devices: the current count
        ("", None),  # an inactive array
        ("\n", None),
        ("x (10)", None),
        ("(10)", None),
        ("-1", None),
        ("18446744073709551616", None),
        ("\u0661", None),
        ("11\t(10)", None),  # procfs looks for a space only
    ],
)
def test_parse_raid_disks(text, disks):
    assert parse_raid_disks(text) == disks


@pytest.mark.parametrize(
    ("text", "fraction"),
    [("none", 0.0), ("1569888 / 2093056", 1569888 / 2093056), ("1/2", 0.5), ("3 / 4 trailing", 0.75),
     ("5 / 0", math.inf)],
)
def test_parse_sync_completed(text, fraction):
    assert parse_sync_completed(text) == fraction


def test_parse_sync_completed_nothing_of_nothing():
    assert math.isnan(parse_sync_completed("0 / 0"))


@pytest.mark.parametrize("text", ["", "delayed", "1 /", "/ 2", "-1 / 2", "99999999999999999999 / 1"])
def test_parse_sync_completed_rejects(text):
    with pytest.raises(ParseError):
        parse_sync_completed(text)


def test_read_mdraid_missing_attribute(tmp_path):
    write_tree(tmp_path, {"md/level": "raid1\n", "md/array_state": "clean\n"})
    with pytest.raises(MissingAttribute):
        read_mdraid(str(tmp_path / "md"), "md0")


def test_read_mdraid_container_reads_no_disk_count(tmp_path):
    # No raid_disks file at all: containers have none to read.
    write_tree(tmp_path, {"md/level": "container\n", "md/array_state": "inactive\n",
                          "md/metadata_version": "external:imsm\n", "md/uuid": "u\n"})
    assert read_mdraid(str(tmp_path / "md"), "md127").disks is None


C = MdraidComponent
# procfs's TestMdraidStats: every array below its tree's /sys/block.
PROCFS_MDRAIDS = [
    Mdraid("md0", "raid0", "clean", "1.2", 2, (C("sdg", "in_sync"), C("sdh", "in_sync")),
           "155f29ff-1716-4107-b362-52307ef86cac", chunk_size=524288),
    Mdraid("md1", "raid1", "clean", "1.2", 2, (C("sdi", "in_sync"), C("sdj", "in_sync")),
           "0fbf5f2c-add2-43c2-bd78-a4be3ab709ef", sync_action="idle"),
    Mdraid("md10", "raid10", "clean", "1.2", 4,
           (C("sdu", "in_sync"), C("sdv", "in_sync"), C("sdw", "in_sync"), C("sdx", "in_sync")),
           "0c15f7e7-b159-4b1f-a5cd-a79b5c04b6f5", chunk_size=524288, sync_action="idle"),
    Mdraid("md4", "raid4", "clean", "1.2", 3, (C("sdk", "in_sync"), C("sdl", "in_sync"), C("sdm", "in_sync")),
           "67f415d5-2c0c-4b69-8e0d-7e20ef553457", chunk_size=524288, sync_action="idle"),
    Mdraid("md5", "raid5", "clean", "1.2", 3,
           (C("sdaa", "spare"), C("sdn", "in_sync"), C("sdo", "in_sync"), C("sdp", "faulty")),
           "7615b98d-f2ba-4d99-bee8-6202d8e130b9", chunk_size=524288, degraded_disks=1, sync_action="idle"),
    Mdraid("md6", "raid6", "active", "1.2", 4,
           (C("sdq", "in_sync"), C("sdr", "in_sync"), C("sds", "in_sync"), C("sdt", "spare")),
           "5f529b25-6efd-46e4-99a2-31f6f597be6b", chunk_size=524288, degraded_disks=1, sync_action="recover",
           sync_completed=0.7500458659491194),
    # A container: no disk count.
    Mdraid("md7", "container", "inactive", "1.2", None, (), "0e51f6d1-b357-2712-8eaa-31f6f597be6b"),
    # A reshape from 10 to 11 devices: raid_disks reads "11 (10)".
    Mdraid("md8", "raid5", "active", "1.2", 11, (C("sdy", "in_sync"), C("sdz", "in_sync")),
           "a1b2c3d4-e5f6-7890-abcd-ef1234567890", chunk_size=524288, sync_action="reshape"),
]


def test_procfs_mdraids(procfs_fixtures):
    block = procfs_fixtures / "sys" / "block"
    devices = sorted(entry.name for entry in block.iterdir() if (entry / "md").exists())
    assert [read_mdraid(str(block / device / "md"), device) for device in devices] == PROCFS_MDRAIDS
