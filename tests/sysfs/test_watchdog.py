"""The watchdog attribute parser, as cases."""

from pyexporter.sysfs.watchdog import parse_watchdog


def test_parse_watchdog():
    wd = parse_watchdog("w", {"bootstatus": "0x20", "timeout": "", "state": "inactive"})
    assert wd.numbers == {"bootstatus": 32}
    assert wd.text == {"state": "inactive"}
