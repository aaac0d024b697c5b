

from tests.support import (
    collect_failing,
    collect_text,
    failing_in_both,
    make_collector,
    needs_node_exporter,
    samples,
    symlink,
    write_tree,
)


def tree(root):
    write_tree(root, {
        "sys/devices/virtual/thermal/thermal_zone0/type": "cpu-thermal\n",
        "sys/devices/virtual/thermal/thermal_zone0/policy": "step_wise\n",
        "sys/devices/virtual/thermal/thermal_zone0/temp": "12376\n",
        "sys/devices/virtual/thermal/thermal_zone1/type": "acpitz\n",
        "sys/devices/virtual/thermal/thermal_zone1/policy": "step_wise\n",
        "sys/devices/virtual/thermal/thermal_zone1/temp": None,  # refuses the read
        "sys/devices/virtual/thermal/thermal_zone2/type": "garbage\n",
        "sys/devices/virtual/thermal/thermal_zone2/policy": "step_wise\n",
        "sys/devices/virtual/thermal/thermal_zone2/temp": None,  # refuses the read
        "sys/devices/virtual/thermal/thermal_zone3/type": "negative\n",
        "sys/devices/virtual/thermal/thermal_zone3/policy": "\n",
        "sys/devices/virtual/thermal/thermal_zone3/temp": "-5000\n",
        "sys/devices/virtual/thermal/cooling_device0/type": "Processor\n",
        "sys/devices/virtual/thermal/cooling_device0/max_state": "3\n",
        "sys/devices/virtual/thermal/cooling_device0/cur_state": "0\n",
        "sys/devices/virtual/thermal/cooling_device1/type": "intel_powerclamp\n",
        "sys/devices/virtual/thermal/cooling_device1/max_state": "50\n",
        "sys/devices/virtual/thermal/cooling_device1/cur_state": "-1\n",
        "sys/devices/virtual/thermal/cooling_device2/type": "Fan\n",
    })
    symlink(root, "sys/class/thermal/thermal_zone9", "../../devices/virtual/thermal/thermal_zone0")
    for name in ("thermal_zone0", "thermal_zone1", "thermal_zone2", "thermal_zone3", "cooling_device0",
                 "cooling_device1", "cooling_device2"):
        symlink(root, f"sys/class/thermal/{name}", f"../../devices/virtual/thermal/{name}")
    symlink(root, "sys/class/thermal/thermal_zone7", "../../devices/virtual/thermal/gone")
    symlink(root, "sys/class/thermal/cooling_device7", "../../devices/virtual/thermal/gone")


def test_thermal_zone_collector(tmp_path):
    tree(tmp_path)
    got = samples(make_collector("thermal_zone", tmp_path).collect())
    assert got == {
        'node_thermal_zone_temp{type="cpu-thermal",zone="0"}': 12.376,
        'node_thermal_zone_temp{type="negative",zone="3"}': -5.0,
        'node_thermal_zone_temp{type="cpu-thermal",zone="9"}': 12.376,
        'node_cooling_device_cur_state{name="0",type="Processor"}': 0,
        'node_cooling_device_max_state{name="0",type="Processor"}': 3,
        'node_cooling_device_cur_state{name="1",type="intel_powerclamp"}': -1,
        'node_cooling_device_max_state{name="1",type="intel_powerclamp"}': 50,
    }


def test_thermal_zone_help(tmp_path):
    tree(tmp_path)
    text = collect_text(make_collector("thermal_zone", tmp_path))
    assert ("# HELP node_thermal_zone_temp Zone temperature in Celsius\n"
            "# TYPE node_thermal_zone_temp gauge\n") in text
    assert "# HELP node_cooling_device_max_state Maximum throttle state of the cooling device\n" in text


UNPARSEABLE = {
    "sys/class/thermal/thermal_zone0/type": "cpu-thermal\n",
    "sys/class/thermal/thermal_zone0/policy": "step_wise\n",
    "sys/class/thermal/thermal_zone0/temp": "41000\n",
    "sys/class/thermal/cooling_device0/type": "Fan\n",
    "sys/class/thermal/cooling_device0/max_state": "3\n",
    "sys/class/thermal/cooling_device0/cur_state": "1\n",
    "sys/class/thermal/cooling_device1/type": "Processor\n",
    "sys/class/thermal/cooling_device1/max_state": "3\n",
    "sys/class/thermal/cooling_device1/cur_state": "x y z\n",
}


def test_thermal_zone_unparseable_value_fails_but_keeps_the_rest(tmp_path):
    # node_exporter fails the collector on it (success 0) and serves nothing more; success 0
    # here too, with what could be read.
    write_tree(tmp_path, UNPARSEABLE)
    families, caught = collect_failing(make_collector("thermal_zone", tmp_path))
    assert str(caught).startswith("cooling_device1: ")
    assert samples(families) == {
        'node_thermal_zone_temp{type="cpu-thermal",zone="0"}': 41.0,
        'node_cooling_device_cur_state{name="0",type="Fan"}': 1,
        'node_cooling_device_max_state{name="0",type="Fan"}': 3,
    }


@needs_node_exporter
def test_thermal_zone_unparseable_value_fails_as_in_node_exporter_1_5(tmp_path):
    write_tree(tmp_path, UNPARSEABLE)
    failing_in_both("thermal_zone", tmp_path / "sys")


def test_thermal_zone_empty_class_dir(tmp_path):
    write_tree(tmp_path, {"sys/class/thermal": None})
    assert samples(make_collector("thermal_zone", tmp_path).collect()) == {}
