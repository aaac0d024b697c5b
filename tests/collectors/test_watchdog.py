
from pyexporter.collectors.watchdog import NUMERIC
from pyexporter.sysfs.watchdog import NUMERIC_ATTRS
from tests.support import collect_text, make_collector, samples, symlink, write_tree

WD = "sys/devices/virtual/watchdog/watchdog0"


def tree(root):
    write_tree(root, {
        f"{WD}/bootstatus": "1\n", f"{WD}/fw_version": "2\n", f"{WD}/identity": "Software Watchdog\n",
        f"{WD}/nowayout": "0\n", f"{WD}/options": "0x8380\n", f"{WD}/pretimeout": "120\n",
        f"{WD}/pretimeout_governor": "noop\n", f"{WD}/state": "active\n", f"{WD}/status": "0x8000\n",
        f"{WD}/timeleft": None,  # unreadable
        f"{WD}/timeout": "sixty\n",  # not a number
        f"{WD}/access_cs0": "0\n",
        "sys/class/watchdog/watchdog1": None,  # empty directory
        "sys/class/watchdog/README": "not a device\n",
    })
    symlink(root, "sys/class/watchdog/watchdog0", "../../devices/virtual/watchdog/watchdog0")
    symlink(root, "sys/class/watchdog/watchdog2", "../../devices/virtual/watchdog/gone")


def test_watchdog_collector(tmp_path):
    tree(tmp_path)
    got = samples(make_collector("watchdog", tmp_path).collect())
    empty = 'identity="",options="",pretimeout_governor="",state="",status=""'
    assert got == {
        'node_watchdog_bootstatus{name="watchdog0"}': 1,
        'node_watchdog_fw_version{name="watchdog0"}': 2,
        'node_watchdog_nowayout{name="watchdog0"}': 0,
        'node_watchdog_pretimeout_seconds{name="watchdog0"}': 120,
        'node_watchdog_access_cs0{name="watchdog0"}': 0,
        'node_watchdog_info{identity="Software Watchdog",name="watchdog0",options="0x8380",'
        'pretimeout_governor="noop",state="active",status="0x8000"}': 1,
        f'node_watchdog_info{{{empty.split(",")[0]},name="watchdog1",{",".join(empty.split(",")[1:])}}}': 1,
        # A dangling link reads as a device without attributes, as in node_exporter.
        f'node_watchdog_info{{{empty.split(",")[0]},name="watchdog2",{",".join(empty.split(",")[1:])}}}': 1,
    }


def test_watchdog_help(tmp_path):
    tree(tmp_path)
    text = collect_text(make_collector("watchdog", tmp_path))
    assert ("# HELP node_watchdog_pretimeout_seconds Value of /sys/class/watchdog/<watchdog>/pretimeout\n"
            in text)
    # Families without samples (timeleft is unreadable here) are not written at all.
    assert "node_watchdog_timeleft_seconds" not in text
    assert "# HELP node_watchdog_info Info of /sys/class/watchdog/<watchdog>\n" in text


def test_every_numeric_attribute_read_has_a_metric():
    assert tuple(attr for attr, _ in NUMERIC) == NUMERIC_ATTRS
