"""The watchdog attribute parser, as cases."""

from pathlib import Path

from pyexporter.sysfs.watchdog import Watchdog, parse_watchdog


def test_parse_watchdog():
    wd = parse_watchdog("w", {"bootstatus": "0x20", "timeout": "", "state": "inactive"})
    assert wd.numbers == {"bootstatus": 32}
    assert wd.text == {"state": "inactive"}


def _attributes(directory: Path) -> dict[str, str]:
    if not directory.is_dir():
        return {}
    return {entry.name: entry.read_text().strip() for entry in directory.iterdir()}


def test_procfs_watchdog_class(procfs_fixtures):
    # procfs's TestWatchdogClass: watchdog1 has no attribute at all.
    watchdogs = procfs_fixtures / "sys/class/watchdog"
    assert parse_watchdog("watchdog0", _attributes(watchdogs / "watchdog0")) == Watchdog(
        "watchdog0",
        {"bootstatus": 1, "fw_version": 2, "nowayout": 0, "timeleft": 300, "timeout": 60, "pretimeout": 120,
         "access_cs0": 0},
        {"options": "0x8380", "identity": "Software Watchdog", "state": "active", "status": "0x8000",
         "pretimeout_governor": "noop"})
    assert parse_watchdog("watchdog1", _attributes(watchdogs / "watchdog1")) == Watchdog("watchdog1")
