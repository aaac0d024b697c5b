"""/proc/mounts: finding tracefs, as a table of cases."""

import pytest

from pyexporter.procfs.mounts import parse_tracefs_dir


@pytest.mark.parametrize(
    ("mounts", "expected"),
    [
        ("tracefs /sys/kernel/tracing tracefs rw 0 0\n", "/sys/kernel/tracing"),
        ("debugfs /sys/kernel/debug debugfs rw 0 0\n", "/sys/kernel/debug/tracing"),
        ("debugfs /d debugfs rw 0 0\ntracefs /t tracefs rw 0 0\ntracefs /u tracefs rw 0 0\n", "/t"),
        ("proc /proc proc rw 0 0\n", None),
        ("", None),
        ("tracefs /t tracefs\n", None),  # too few fields, as perf-utils skips them
    ],
)
def test_parse_tracefs_dir(mounts, expected):
    assert parse_tracefs_dir(mounts) == expected
