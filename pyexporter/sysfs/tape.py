"""/sys/class/scsi_tape/st<N>/stats: a tape drive's counters."""

from __future__ import annotations

from collections.abc import Mapping

from pyexporter.sysfs.attrs import uint_or_none

COUNTERS = ("in_flight", "io_ns", "other_cnt", "read_byte_cnt", "read_cnt", "read_ns", "resid_cnt",
            "write_byte_cnt", "write_cnt", "write_ns")


def parse_counters(values: Mapping[str, str]) -> dict[str, int]:
    """Every counter procfs knows, 0 when its file is absent or holds no number."""
    return {name: uint_or_none(values.get(name), 0) or 0 for name in COUNTERS}
