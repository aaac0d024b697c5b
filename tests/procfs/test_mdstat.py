"""/proc/mdstat's parser: tables of cases, and procfs's own expectations on its test tree."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.mdstat import MDStat, MDStatComponent, parse_mdstat

MDSTAT = """Personalities : [linear] [raid0] [raid1] [raid6]

md3 : active raid6 sda1[8] sdh1[7] sdg1[6] sdf1[5] sde1[11] sdd1[3] sdc1[10] sdb1[9] sdd1[10](S) sdd2[11](S)
      5853468288 blocks super 1.2 level 6, 64k chunk, algorithm 2 [8/8] [UUUUUUUU]

md4 : inactive raid1 sda3[0](F) sdb3[1](S)
      4883648 blocks [2/2] [UU]

md6 : active raid1 sdb2[2](F) sdc[1](S) sda2[0]
      195310144 blocks [2/1] [U_]
      [=>...................]  recovery =  8.5% (16775552/195310144) finish=17.0min speed=259783K/sec

md201 : active raid1 sda3[0] sdb3[1]
      1993728 blocks super 1.2 [2/2] [UU]
      [=>...................]  check =  5.7% (114176/1993728) finish=0.2min speed=114176K/sec

md7 : active raid6 sdb1[0] sde1[3] sdd1[2] sdc1[1](F)
      7813735424 blocks super 1.2 level 6, 512k chunk, algorithm 2 [4/3] [U_UU]
      bitmap: 0/30 pages [0KB], 65536KB chunk

md11 : active (auto-read-only) raid1 sdb2[0] sdc2[1] sdc3[2](F) hda[4](S) ssdc2[3](S)
      4190208 blocks super 1.2 [2/2] [UU]
      resync=PENDING

md10 : active raid0 sda1[0] sdb1[1]
       314159265 blocks 64k chunks

md120 : active linear sda1[1] sdb1[0]
        2095104 blocks super 1.2 0k rounding

unused devices: <none>
"""


def test_parse_mdstat():
    arrays = {a.name: a for a in parse_mdstat(MDSTAT)}
    assert list(arrays) == ["md3", "md4", "md6", "md201", "md7", "md11", "md10", "md120"]
    md3 = arrays["md3"]
    assert (md3.activity_state, md3.disks_active, md3.disks_total, md3.disks_spare, md3.blocks_total) == (
        "active", 8, 8, 2, 5853468288)
    assert md3.devices[:2] == (MDStatComponent("sda1", 8), MDStatComponent("sdh1", 7))
    assert md3.devices[-1] == MDStatComponent("sdd2", 11, spare=True)
    md4 = arrays["md4"]
    assert (md4.activity_state, md4.disks_active, md4.disks_total, md4.disks_failed, md4.disks_spare) == (
        "inactive", 0, 0, 1, 1)
    md6 = arrays["md6"]
    assert (md6.activity_state, md6.blocks_synced, md6.blocks_to_be_synced, md6.disks_down) == (
        "recovering", 16775552, 195310144, 1)
    assert (md6.blocks_synced_pct, md6.blocks_synced_finish_time, md6.blocks_synced_speed) == (
        8.5, 17.0, 259783)
    assert (arrays["md201"].activity_state, arrays["md201"].blocks_synced) == ("checking", 114176)
    assert (arrays["md7"].activity_state, arrays["md7"].blocks_synced) == ("active", 7813735424)
    assert (arrays["md11"].activity_state, arrays["md11"].blocks_synced) == ("resyncing", 0)
    assert (arrays["md10"].disks_active, arrays["md10"].disks_total) == (2, 2)
    assert arrays["md120"].disks_total == 2


@pytest.mark.parametrize("text", ["", "Personalities : [raid1]\nunused devices: <none>\n"])
def test_parse_mdstat_without_arrays(text):
    assert parse_mdstat(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "md0 :\n      100 blocks [2/2] [UU]\n\n\n",  # device line too short
        "md0 : active raid1 sda[0]\n      100 blocks [2/2] [UU]\n",  # too few lines
        "md0 : active raid1 sda[0]\n      blocks [2/2] [UU]\n\n\n",  # no size
        "md0 : active raid1 sda[0]\n      100 blocks\n\n\n",  # no [n/m] status
        "md0 : active raid1 sda[0]\n      100 blocks [2/2] [UU]\n      recovery = 1%\n\n",  # no blocks
        "md0 : active raid1 sda[0]\n      100 blocks [2/2] [UU]\n      recovery = x% (1/2) finish=1min "
        "speed=1K/sec\n\n",
    ],
)
def test_parse_mdstat_rejects(text):
    with pytest.raises(ParseError):
        parse_mdstat(text)


def test_reshape_is_its_own_state():
    text = ("Personalities : [raid5]\nmd42 : active raid5 sda1[3](S) sdd1[0] sde1[1]\n"
            "      1953381440 blocks super 1.2 level 5, 64k chunk, algorithm 2 [3/2] [UU_]\n"
            "      [===========>.........]  reshape = 56.1% (1096879076/1953381440) finish=1868.1min "
            "speed=7640K/sec\n\n")
    (md42,) = parse_mdstat(text)
    assert (md42.activity_state, md42.blocks_synced) == ("reshaping", 1096879076)
    assert md42.blocks_synced_pct == 56.1


@pytest.mark.parametrize(
    ("line", "md_type", "names"),
    [
        ("md11 : active (auto-read-only) raid1 sdb2[0] hda[4](S)", "raid1", ["sdb2", "hda"]),
        # A type the Personalities line does not list: unknown, and every field is searched for members.
        ("md219 : inactive sdb[2](S) sdc[1](S) sda[0](S)", "unknown", ["sdb", "sdc", "sda"]),
        ("md5 : active raid5 sda[0]", "unknown", ["sda"]),
    ],
)
def test_type_and_members(line, md_type, names):
    (md,) = parse_mdstat(f"Personalities : [raid1] [raid0]\n{line}\n      100 blocks [1/1] [U]\n\n\n")
    assert md.type == md_type
    assert [d.name for d in md.devices] == names


C = MDStatComponent
# procfs's TestFS_MDStat: every array of its tree's /proc/mdstat.
PROCFS_MDSTAT = {
    "md127": MDStat("md127", "raid1", "active", 2, 2, 0, 0, 0, 312319552, 312319552, 312319552, 0, 0, 0,
                    (C("sdi2", 0), C("sdj2", 1))),
    "md0": MDStat("md0", "raid1", "active", 2, 2, 0, 0, 0, 248896, 248896, 248896, 0, 0, 0,
                  (C("sdi1", 0), C("sdj1", 1))),
    "md4": MDStat("md4", "raid1", "inactive", 0, 0, 1, 0, 1, 4883648, 4883648, 4883648, 0, 0, 0,
                  (C("sda3", 0, faulty=True), C("sdb3", 1, spare=True))),
    "md6": MDStat("md6", "raid1", "recovering", 1, 2, 1, 1, 1, 195310144, 16775552, 195310144, 8.5, 17,
                  259783, (C("sdb2", 2, faulty=True), C("sdc", 1, spare=True), C("sda2", 0))),
    "md3": MDStat("md3", "raid6", "active", 8, 8, 0, 0, 2, 5853468288, 5853468288, 5853468288, 0, 0, 0,
                  (C("sda1", 8), C("sdh1", 7), C("sdg1", 6), C("sdf1", 5), C("sde1", 11), C("sdd1", 3),
                   C("sdc1", 10), C("sdb1", 9), C("sdd1", 10, spare=True), C("sdd2", 11, spare=True))),
    "md8": MDStat("md8", "raid1", "resyncing", 2, 2, 0, 0, 2, 195310144, 16775552, 195310144, 8.5, 17, 259783,
                  (C("sdb1", 1), C("sda1", 0), C("sdc", 2, spare=True), C("sde", 3, spare=True))),
    "md7": MDStat("md7", "raid6", "active", 3, 4, 1, 1, 0, 7813735424, 7813735424, 7813735424, 0, 0, 0,
                  (C("sdb1", 0), C("sde1", 3), C("sdd1", 2), C("sdc1", 1, faulty=True))),
    "md9": MDStat("md9", "raid1", "resyncing", 4, 4, 2, 0, 1, 523968, 0, 523968, 0, 0, 0,
                  (C("sdc2", 2), C("sdd2", 3), C("sdb2", 1), C("sda2", 0), C("sde", 4, faulty=True),
                   C("sdf", 5, faulty=True), C("sdg", 6, spare=True))),
    "md10": MDStat("md10", "raid0", "active", 2, 2, 0, 0, 0, 314159265, 314159265, 314159265, 0, 0, 0,
                   (C("sda1", 0), C("sdb1", 1))),
    "md11": MDStat("md11", "raid1", "resyncing", 2, 2, 1, 0, 2, 4190208, 0, 4190208, 0, 0, 0,
                   (C("sdb2", 0), C("sdc2", 1), C("sdc3", 2, faulty=True), C("hda", 4, spare=True),
                    C("ssdc2", 3, spare=True))),
    "md12": MDStat("md12", "raid0", "active", 2, 2, 0, 0, 0, 3886394368, 3886394368, 3886394368, 0, 0, 0,
                   (C("sdc2", 0), C("sdd2", 1))),
    "md120": MDStat("md120", "linear", "active", 2, 2, 0, 0, 0, 2095104, 2095104, 2095104, 0, 0, 0,
                    (C("sda1", 1), C("sdb1", 0))),
    "md126": MDStat("md126", "raid0", "active", 2, 2, 0, 0, 0, 1855870976, 1855870976, 1855870976, 0, 0, 0,
                    (C("sdb", 1), C("sdc", 0))),
    "md219": MDStat("md219", "unknown", "inactive", 0, 0, 0, 0, 3, 7932, 7932, 7932, 0, 0, 0,
                    (C("sdb", 2, spare=True), C("sdc", 1, spare=True), C("sda", 0, spare=True))),
    "md00": MDStat("md00", "raid0", "active", 1, 1, 0, 0, 0, 4186624, 4186624, 4186624, 0, 0, 0,
                   (C("xvdb", 0),)),
    "md101": MDStat("md101", "raid0", "active", 3, 3, 0, 0, 0, 322560, 322560, 322560, 0, 0, 0,
                    (C("sdb", 2), C("sdd", 1), C("sdc", 0))),
    "md201": MDStat("md201", "raid1", "checking", 2, 2, 0, 0, 0, 1993728, 114176, 1993728, 5.7, 0.2, 114176,
                    (C("sda3", 0), C("sdb3", 1))),
    "md42": MDStat("md42", "raid5", "reshaping", 2, 3, 0, 1, 1, 1953381440, 1096879076, 1953381440, 56.1,
                   1868.1, 7640, (C("sda1", 3, spare=True), C("sdd1", 0), C("sde1", 1))),
}


def test_procfs_mdstat(procfs_fixtures):
    arrays = parse_mdstat((procfs_fixtures / "proc" / "mdstat").read_text())
    assert {md.name: md for md in arrays} == PROCFS_MDSTAT
    assert len(arrays) == len(PROCFS_MDSTAT)


@pytest.mark.parametrize(
    "text",
    [
        # procfs's TestInvalidMdstat.
        "\nPersonalities : [invalid]\nmd3 : invalid\n      314159265 blocks 64k chunks\n\n"
        "unused devices: <none>\n",
        "\nmd12 : active raid0 sdc2[0] sdd2[1]\n\n      3886394368 blocks super 1.2 512k chunks\n",
        "\nmd127 : active raid1 sdi2[0] sdj2[1](Z)\n      312319552 blocks [2/2] [UU]\n",
        "\nmd127 : active raid1 sdi2[0] sdj2[X]\n      312319552 blocks [2/2] [UU]\n",
    ],
)
def test_procfs_invalid_mdstat(text):
    with pytest.raises(ParseError):
        parse_mdstat(text)
