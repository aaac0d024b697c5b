import pytest

from pyexporter.collectors.diskstats import DEFAULT_EXCLUDE
from pyexporter.errors import ConfigError, ParseError
from tests.procfs.test_diskstats import DISKSTATS
from tests.support import collect_text, make_collector, samples, symlink, write_tree

UDEV_SDA = (
    "S:disk/by-id/wwn-0x7c72382b8de36a64\n"
    "E:ID_ATA=1\nE:ID_ATA_WRITE_CACHE=1\nE:ID_ATA_WRITE_CACHE_ENABLED=0\nE:ID_ATA_ROTATION_RATE_RPM=7200\n"
    "E:ID_MODEL=TOSHIBA_KSDB4U86\nE:ID_REVISION=0102\nE:ID_SERIAL=TOSHIBA_KSDB4U86_2160A0D5FVGG\n"
    "E:ID_SERIAL_SHORT=2160A0D5FVGG\nE:ID_WWN=0x7c72382b8de36a64\nE:ID_PATH=pci-0000:3b:00.0-sas-phy7-lun-0\n"
    "E:ID_FS_TYPE=LVM2_member\nE:ID_FS_USAGE=raid\nE:ID_FS_UUID=cVVv6j\nE:ID_FS_VERSION=LVM2 001\n"
)
UDEV_DM = ("E:DM_NAME=system-root\nE:DM_UUID=LVM-abc\nE:DM_VG_NAME=system\nE:DM_LV_NAME=root\n"
           "E:ID_SERIAL=virt\n")


def tree(tmp_path, diskstats=DISKSTATS):
    return write_tree(tmp_path, {
        "proc/diskstats": diskstats,
        "udev/data/b8:0": UDEV_SDA,
        "udev/data/b252:0": UDEV_DM,
        "sys/block/sda/queue/rotational": "1\n",
        "sys/block/dm-0/slaves/sdb": None,
        "sys/block/dm-0/slaves/sda": None,
    })


def test_diskstats_collector(tmp_path):
    collector = make_collector("diskstats", tree(tmp_path))
    got = samples(collector.collect())
    assert got['node_disk_info{device="sda",major="8",minor="0",model="TOSHIBA_KSDB4U86",'
               'path="pci-0000:3b:00.0-sas-phy7-lun-0",revision="0102",rotational="1",serial="2160A0D5FVGG",'
               'wwn="0x7c72382b8de36a64"}'] == 1
    assert got['node_disk_info{device="dm-0",major="252",minor="0",model="",path="",revision="",'
               'rotational="0",serial="virt",wwn=""}'] == 1
    assert got['node_disk_reads_completed_total{device="sda"}'] == 25354637
    assert got['node_disk_read_bytes_total{device="sda"}'] == 1003346126 * 512
    assert got['node_disk_read_time_seconds_total{device="sda"}'] == 18492372 * 0.001
    assert got['node_disk_io_now{device="sda"}'] == 0
    assert got['node_disk_discarded_sectors_total{device="sdc"}'] == 125173784
    assert got['node_disk_flush_requests_time_seconds_total{device="sdc"}'] == 1944 * 0.001
    assert 'node_disk_discards_completed_total{device="sda"}' not in got
    # The default exclude pattern drops partitions and loop devices.
    assert not any('"sda1"' in key or '"loop0"' in key for key in got)
    assert got['node_disk_ata_rotation_rate_rpm{device="sda"}'] == 7200
    assert got['node_disk_ata_write_cache_enabled{device="sda"}'] == 0
    assert got['node_disk_filesystem_info{device="sda",type="LVM2_member",usage="raid",uuid="cVVv6j",'
               'version="LVM2 001"}'] == 1
    assert got['node_disk_device_mapper_info{device="dm-0",lv_layer="",lv_name="root",name="system-root",'
               'uuid="LVM-abc",vg_name="system"}'] == 1
    # node_exporter 1.12.1 has no backing-device series: it is behind a flag that is off by default.
    assert not any("backing" in k for k in got)
    text = collect_text(collector)
    assert "# HELP node_disk_io_time_seconds_total Total seconds spent doing I/Os.\n" in text
    assert "# TYPE node_disk_io_now gauge\n" in text


def test_device_mapper_backing_info_behind_its_flag(tmp_path):
    collector = make_collector("diskstats", tree(tmp_path),
                               "--collector.diskstats.device-mapper-backing-info")
    got = samples(collector.collect())
    assert {k for k in got if "backing" in k} == {
        'node_disk_device_mapper_backing_device_info{backing_device="sda",device="dm-0"}',
        'node_disk_device_mapper_backing_device_info{backing_device="sdb",device="dm-0"}'}
    assert ("# HELP node_disk_device_mapper_backing_device_info Info about the underlying block devices of a "
            "device mapper device.\n") in collect_text(collector)


def test_include_replaces_the_exclude_default(tmp_path):
    # node_exporter 1.12.1: an include pattern clears the exclude default, but refuses an exclude
    # pattern given on the command line, even one given as the default (kingpin's PreAction).
    collector = make_collector("diskstats", tree(tmp_path),
                               "--collector.diskstats.device-include=^(sda|loop)")
    devices = {key.split('device="')[1].split('"')[0] for key in samples(collector.collect())}
    assert devices == {"sda", "sda1", "loop0"}
    for exclude in ("^loop", DEFAULT_EXCLUDE):
        with pytest.raises(ConfigError, match="device-exclude & device-include are mutually exclusive"):
            make_collector("diskstats", tmp_path, f"--collector.diskstats.device-exclude={exclude}",
                           "--collector.diskstats.device-include=sda")
    collector = make_collector("diskstats", tree(tmp_path), "--collector.diskstats.device-exclude=",
                               "--collector.diskstats.device-include=^sda")
    devices = {key.split('device="')[1].split('"')[0] for key in samples(collector.collect())}
    assert devices == {"sda", "sda1"}


def test_deprecated_ignored_devices(tmp_path):
    collector = make_collector("diskstats", tree(tmp_path), "--collector.diskstats.ignored-devices=^(sd|dm)")
    devices = {key.split('device="')[1].split('"')[0] for key in samples(collector.collect())}
    assert devices == {"loop0"}
    for exclude in ("b", DEFAULT_EXCLUDE):
        with pytest.raises(ConfigError, match=r"ignored-devices and --collector\.diskstats\.device-exclude"):
            make_collector("diskstats", tmp_path, "--collector.diskstats.ignored-devices=a",
                           f"--collector.diskstats.device-exclude={exclude}")


def test_without_udev_data_or_sysfs(tmp_path):
    write_tree(tmp_path, {"proc/diskstats": DISKSTATS})
    got = samples(make_collector("diskstats", tmp_path).collect())
    assert got['node_disk_info{device="sda",major="8",minor="0",model="",path="",revision="",rotational="0",'
               'serial="",wwn=""}'] == 1
    assert not any("filesystem_info" in key or "ata_" in key for key in got)


def test_unreadable_rotational_and_broken_udev_link(tmp_path):
    tree(tmp_path)
    (tmp_path / "sys/block/sda/queue/rotational").write_text("2\n")
    (tmp_path / "udev/data/b8:0").unlink()
    symlink(tmp_path, "udev/data/b8:0", "nowhere")
    write_tree(tmp_path, {"sys/block/sdc/queue/rotational": None})  # a directory, not an attribute
    got = samples(make_collector("diskstats", tmp_path).collect())
    assert 'node_disk_info{device="sda",major="8",minor="0",model="",path="",revision="",rotational="0",' \
           'serial="",wwn=""}' in got
    assert any('device="sdc"' in key and 'rotational="0"' in key for key in got)


def test_bad_ata_value_is_skipped(tmp_path):
    tree(tmp_path)
    (tmp_path / "udev/data/b8:0").write_text("E:ID_ATA=1\nE:ID_ATA_ROTATION_RATE_RPM=fast\n")
    got = samples(make_collector("diskstats", tmp_path).collect())
    assert not any("ata_" in key for key in got)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(make_collector("diskstats", tmp_path).collect())


def test_empty_file(tmp_path):
    assert samples(make_collector("diskstats", tree(tmp_path, "")).collect()) == {}


def test_malformed_line(tmp_path):
    with pytest.raises(ParseError):
        list(make_collector("diskstats", tree(tmp_path, DISKSTATS + "8 0 sdz 1 2 x\n")).collect())
