import time

import pytest

from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree

CLOCKSOURCE = "sys/devices/system/clocksource"


def clock_tree(root):
    return write_tree(root, {
        f"{CLOCKSOURCE}/clocksource0/available_clocksource": "tsc hpet acpi_pm \n",
        f"{CLOCKSOURCE}/clocksource0/current_clocksource": "tsc\n",
        f"{CLOCKSOURCE}/clocksource1/available_clocksource": "arch_sys_counter\n",
        f"{CLOCKSOURCE}/clocksource1/current_clocksource": "arch_sys_counter\n",
        f"{CLOCKSOURCE}/power": None,
    })


def test_time_now_and_zone(tmp_path):
    before = time.time()
    got = samples(make_collector("time", tmp_path).collect())
    after = time.time()
    assert before - 1 <= got["node_time_seconds"] <= after + 1
    zones = [k for k in got if k.startswith("node_time_zone_offset_seconds")]
    assert len(zones) == 1
    local = time.localtime()
    assert zones[0] == f'node_time_zone_offset_seconds{{time_zone="{local.tm_zone}"}}'
    assert got[zones[0]] == local.tm_gmtoff
    assert -14 * 3600 <= got[zones[0]] <= 14 * 3600


def test_time_zone_follows_tz(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "XYZ-3")
    time.tzset()
    try:
        got = samples(make_collector("time", tmp_path).collect())
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert got['node_time_zone_offset_seconds{time_zone="XYZ"}'] == 3 * 3600


def test_time_clocksources(tmp_path):
    got = samples(make_collector("time", clock_tree(tmp_path)).collect())
    clocks = {k: v for k, v in got.items() if "clocksource" in k}
    assert clocks == {
        'node_time_clocksource_available_info{clocksource="acpi_pm",device="0"}': 1,
        'node_time_clocksource_available_info{clocksource="hpet",device="0"}': 1,
        'node_time_clocksource_available_info{clocksource="tsc",device="0"}': 1,
        'node_time_clocksource_current_info{clocksource="tsc",device="0"}': 1,
        'node_time_clocksource_available_info{clocksource="arch_sys_counter",device="1"}': 1,
        'node_time_clocksource_current_info{clocksource="arch_sys_counter",device="1"}': 1,
    }


def test_time_device_label_is_the_position(tmp_path):
    # node_exporter numbers clocksources by their place in the sorted listing, not by their name.
    write_tree(tmp_path, {
        f"{CLOCKSOURCE}/clocksource7/available_clocksource": "tsc\n",
        f"{CLOCKSOURCE}/clocksource7/current_clocksource": "tsc\n",
    })
    got = samples(make_collector("time", tmp_path).collect())
    assert 'node_time_clocksource_current_info{clocksource="tsc",device="0"}' in got


def test_time_help(tmp_path):
    text = collect_text(make_collector("time", clock_tree(tmp_path)))
    assert "# HELP node_time_seconds System time in seconds since epoch (1970).\n" in text
    assert ("# HELP node_time_clocksource_current_info Current clocksource read from "
            "'/sys/devices/system/clocksource'.\n# TYPE node_time_clocksource_current_info gauge\n") in text


def test_time_missing_clocksource_attribute_fails(tmp_path):
    write_tree(tmp_path, {f"{CLOCKSOURCE}/clocksource0/available_clocksource": "tsc\n"})
    with pytest.raises(ParseError):
        list(make_collector("time", tmp_path).collect())


def test_time_broken_symlink_attribute_fails(tmp_path):
    write_tree(tmp_path, {f"{CLOCKSOURCE}/clocksource0/available_clocksource": "tsc\n"})
    (tmp_path / CLOCKSOURCE / "clocksource0/current_clocksource").symlink_to("/nonexistent")
    with pytest.raises(ParseError):
        list(make_collector("time", tmp_path).collect())


def test_time_empty_clocksource_files(tmp_path):
    write_tree(tmp_path, {
        f"{CLOCKSOURCE}/clocksource0/available_clocksource": "",
        f"{CLOCKSOURCE}/clocksource0/current_clocksource": "",
    })
    got = samples(make_collector("time", tmp_path).collect())
    assert got == {**{k: v for k, v in got.items() if not k.startswith("node_time_clocksource")},
                   'node_time_clocksource_current_info{clocksource="",device="0"}': 1}


def test_time_no_clocksource_dir(tmp_path):
    got = samples(make_collector("time", tmp_path).collect())
    assert not any("clocksource" in k for k in got)
