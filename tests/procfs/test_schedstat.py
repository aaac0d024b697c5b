"""/proc/schedstat's parser: tables of cases, and procfs's own expectations on its test tree."""

import pytest

from pyexporter.procfs.schedstat import SchedstatCPU, parse_schedstat

SCHEDSTAT = (
    "version 15\n"
    "timestamp 15819019232\n"
    "cpu0 498494191 0 3533438552 2553969831 3853684107 2465731542 "
    "2045936778163039 343796328169361 4767485306\n"
    "domain0 00000000,00000003 212499247 210112015 1861015 1860405436 536440 369895 32599 210079416\n"
    "cpu1 518377256 0 4155211005 2778589869 10466382 2867629021 "
    "1904686152592476 364107263788241 5145567945\n"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SCHEDSTAT, [SchedstatCPU("0", 2045936778163039, 343796328169361, 4767485306),
                     SchedstatCPU("1", 1904686152592476, 364107263788241, 5145567945)]),
        ("", []),
        ("version 15\n", []),
        ("cpu0 1 2 3\n", []),  # truncated: not a cpu line
        ("cpu0 1 2 3 4 5 6 7 8 x\n", []),
        # A counter beyond 64 bits drops that CPU, as procfs does.
        ("cpu0 0 0 0 0 0 0 99999999999999999999 1 1\ncpu1 0 0 0 0 0 0 5 6 7\n", [SchedstatCPU("1", 5, 6, 7)]),
        # Unanchored, like procfs' regexp: extra fields and a prefix do not matter.
        ("xcpu2 0 0 0 0 0 0 1 2 3 4 5\n", [SchedstatCPU("2", 1, 2, 3)]),
        ("cpu\u0663 0 0 0 0 0 0 1 2 3\n", []),  # non-ASCII digits are no digits for Go
    ],
)
def test_parse_schedstat(text, expected):
    assert parse_schedstat(text) == expected


def test_procfs_schedstat(procfs_fixtures):
    # procfs's TestSchedstat (the per-process schedstat files are no input of node_exporter's).
    cpus = parse_schedstat((procfs_fixtures / "proc" / "schedstat").read_text())
    assert len(cpus) == 2
    assert cpus[0] == SchedstatCPU("0", 2045936778163039, 343796328169361, 4767485306)
