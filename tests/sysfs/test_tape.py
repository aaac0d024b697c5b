"""Tape statistics parser, as tables of cases."""

from pyexporter.sysfs.tape import COUNTERS, parse_counters


def test_parse_counters():
    got = parse_counters({"in_flight": "0x10", "io_ns": "-1", "read_cnt": "18446744073709551615"})
    assert got["in_flight"] == 16
    assert got["io_ns"] == 0
    assert got["read_cnt"] == 2**64 - 1
    assert set(got) == set(COUNTERS)


def test_procfs_scsi_tape_class(procfs_fixtures):
    # procfs's TestSCSITapeClass.
    stats = procfs_fixtures / "sys/class/scsi_tape/st0/stats"
    values = {entry.name: entry.read_text().strip() for entry in stats.iterdir()}
    assert parse_counters(values) == {
        "write_ns": 5233597394395, "read_byte_cnt": 979383912, "io_ns": 9247011087720, "write_cnt": 53772916,
        "write_byte_cnt": 1496246784000, "resid_cnt": 19, "read_ns": 33788355744, "in_flight": 1,
        "other_cnt": 1409, "read_cnt": 3741}
