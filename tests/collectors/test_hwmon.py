
import pytest

from pyexporter.collectors.hwmon import (
    Chip,
    clean_metric_name,
    disambiguate,
    explode_sensor_filename,
    sensor_samples,
)
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
        "sys/devices/platform/coretemp.0/hwmon/hwmon0/name": "coretemp\n",
        "sys/devices/platform/coretemp.0/hwmon/hwmon0/temp1_input": "55000\n",
        "sys/devices/platform/coretemp.0/hwmon/hwmon0/temp1_label": "Core 0\n",
        "sys/devices/platform/coretemp.0/hwmon/hwmon0/temp1_crit": "100000\n",
        "sys/devices/platform/coretemp.0/hwmon/hwmon0/temp1_max": "",
        "sys/devices/platform/coretemp.1/hwmon/hwmon1/name": "coretemp\n",
        "sys/devices/platform/coretemp.1/hwmon/hwmon1/temp1_input": "45000\n",
        "sys/devices/platform/asus-nb-wmi/hwmon/hwmon2/name": "asus\n",
        "sys/devices/platform/asus-nb-wmi/hwmon/hwmon2/pwm1_enable": "2\n",
        "sys/devices/platform/asus-nb-wmi/hwmon/hwmon3/name": "asus_wmi_sensors\n",
        "sys/devices/platform/asus-nb-wmi/hwmon/hwmon3/pwm1_enable": "1\n",
        # No device and no name: the chip is named after its directory.
        "sys/class/hwmon/hwmon4/in0_input": "792\n",
        "sys/class/hwmon/hwmon4/in0_max": "1744\n",
        "sys/class/hwmon/hwmon4/fan1_input": "1098\n",
        "sys/class/hwmon/hwmon4/fan1_alarm": "0\n",
        "sys/class/hwmon/hwmon4/fan1_beep": "1\n",
        "sys/class/hwmon/hwmon4/fan1_pulses": "2\n",
        "sys/class/hwmon/hwmon4/curr1_input": "500\n",
        "sys/class/hwmon/hwmon4/power1_input": "5000000\n",
        "sys/class/hwmon/hwmon4/power1_average_interval": "1000\n",
        "sys/class/hwmon/hwmon4/power1_accuracy": "250000\n",
        "sys/class/hwmon/hwmon4/energy1_input": "2000000\n",
        "sys/class/hwmon/hwmon4/humidity1_input": "45000\n",
        "sys/class/hwmon/hwmon4/beep_enable": "1\n",
        "sys/class/hwmon/hwmon4/update_interval": "1000\n",
        "sys/class/hwmon/hwmon4/vrm": "9.1\n",
        "sys/class/hwmon/hwmon4/freq1_input": "300000000\n",
        "sys/class/hwmon/hwmon4/freq1_label": "mclk\n",
        "sys/class/hwmon/hwmon4/temp2": "54000\n",
        "sys/class/hwmon/hwmon4/temp3_input": None,  # unreadable: a directory
        "sys/class/hwmon/hwmon4/temp4_input": "garbage\n",
        "sys/class/hwmon/hwmon4/temp5_input": "",
        "sys/class/hwmon/hwmon4/intrusion0_alarm": "1\n",
        "sys/class/hwmon/hwmon4/notasensor": "1\n",
        # A chip without a device link, named by its name file.
        "sys/devices/platform/nct6775.656/hwmon/hwmon6/name": "nct6779\n",
        "sys/devices/platform/nct6775.656/hwmon/hwmon6/in1_alarm": "1\n",
        # Two chips on one device with the same name: the hwmonX name tells them apart.
        "sys/devices/platform/dup/hwmon/hwmon7/name": "dup\n",
        "sys/devices/platform/dup/hwmon/hwmon7/temp1_input": "1000\n",
        "sys/devices/platform/dup/hwmon/hwmon8/name": "dup\n",
        "sys/devices/platform/dup/hwmon/hwmon8/temp1_input": "2000\n",
        # Sensor files in the device directory count too.
        "sys/devices/platform/applesmc.768/fan1_input": "1998\n",
        "sys/devices/platform/applesmc.768/fan1_label": "Left side\n",
        "sys/devices/platform/applesmc.768/hwmon/hwmon9/.keep": "",
    })
    for n, dev in ((0, "coretemp.0"), (1, "coretemp.1"), (2, "asus-nb-wmi"), (3, "asus-nb-wmi"), (7, "dup"),
                   (8, "dup"), (9, "applesmc.768")):
        symlink(root, f"sys/class/hwmon/hwmon{n}", f"../../devices/platform/{dev}/hwmon/hwmon{n}")
        symlink(root, f"sys/devices/platform/{dev}/hwmon/hwmon{n}/device", f"../../../{dev}")
    symlink(root, "sys/class/hwmon/hwmon5", "../../devices/platform/gone/hwmon/hwmon5")
    symlink(root, "sys/class/hwmon/hwmon6", "../../devices/platform/nct6775.656/hwmon/hwmon6")


def test_hwmon_collector(tmp_path):
    tree(tmp_path)
    got = samples(make_collector("hwmon", tmp_path).collect())
    assert got['node_hwmon_temp_celsius{chip="platform_coretemp_0",sensor="temp1"}'] == 55
    assert got['node_hwmon_temp_crit_celsius{chip="platform_coretemp_0",sensor="temp1"}'] == 100
    assert got['node_hwmon_temp_celsius{chip="platform_coretemp_1",sensor="temp1"}'] == 45
    assert got['node_hwmon_sensor_label{chip="platform_coretemp_0",label="Core 0",sensor="temp1"}'] == 1
    assert got['node_hwmon_chip_names{chip="platform_coretemp_0",chip_name="coretemp"}'] == 1
    assert got['node_hwmon_pwm_enable{chip="platform_asus_nb_wmi_asus",sensor="pwm1"}'] == 2
    assert got['node_hwmon_pwm_enable{chip="platform_asus_nb_wmi_asus_wmi_sensors",sensor="pwm1"}'] == 1
    assert got['node_hwmon_temp_celsius{chip="platform_dup_hwmon7",sensor="temp1"}'] == 1
    assert got['node_hwmon_temp_celsius{chip="platform_dup_hwmon8",sensor="temp1"}'] == 2
    assert got['node_hwmon_in_alarm{chip="nct6779",sensor="in1"}'] == 1
    assert got['node_hwmon_fan_rpm{chip="platform_applesmc_768",sensor="fan1"}'] == 1998
    assert got['node_hwmon_sensor_label{chip="platform_applesmc_768",label="Left side",sensor="fan1"}'] == 1
    h = 'chip="hwmon4",sensor='
    assert got[f'node_hwmon_in_volts{{{h}"in0"}}'] == 0.792
    assert got[f'node_hwmon_in_max_volts{{{h}"in0"}}'] == 1.744
    assert got[f'node_hwmon_fan_rpm{{{h}"fan1"}}'] == 1098
    assert got[f'node_hwmon_fan_alarm{{{h}"fan1"}}'] == 0
    assert got[f'node_hwmon_fan_beep_enabled{{{h}"fan1"}}'] == 1
    assert got[f'node_hwmon_fan_pulses{{{h}"fan1"}}'] == 2
    assert got[f'node_hwmon_curr_amps{{{h}"curr1"}}'] == 0.5
    assert got[f'node_hwmon_power_watt{{{h}"power1"}}'] == 5
    assert got[f'node_hwmon_power_average_interval_seconds{{{h}"power1"}}'] == 1
    assert got[f'node_hwmon_power_accuracy{{{h}"power1"}}'] == 0.25
    assert got[f'node_hwmon_energy_joule_total{{{h}"energy1"}}'] == 2
    assert got[f'node_hwmon_humidity{{{h}"humidity1"}}'] == 0.045
    assert got[f'node_hwmon_beep_enabled{{{h}"beep_enable0"}}'] == 1
    assert got[f'node_hwmon_update_interval_seconds{{{h}"update_interval0"}}'] == 1
    assert got[f'node_hwmon_voltage_regulator_version{{{h}"vrm0"}}'] == 9.1
    assert got[f'node_hwmon_freq_freq_mhz{{{h}"mclk"}}'] == 300
    assert got[f'node_hwmon_temp_celsius{{{h}"temp2"}}'] == 54
    assert got[f'node_hwmon_intrusion_alarm{{{h}"intrusion0"}}'] == 1
    # Unreadable, garbage and empty values are skipped; the broken hwmon5 link is ignored.
    for sensor in ("temp3", "temp4", "temp5"):
        assert not any(f'sensor="{sensor}"' in k and 'chip="hwmon4"' in k for k in got)
    assert 'node_hwmon_temp_max_celsius{chip="platform_coretemp_0",sensor="temp1"}' not in got
    assert not any("hwmon5" in k for k in got)


def test_hwmon_help_and_types(tmp_path):
    tree(tmp_path)
    text = collect_text(make_collector("hwmon", tmp_path))
    assert "# HELP node_hwmon_temp_celsius Hardware monitor for temperature (input)\n" \
           "# TYPE node_hwmon_temp_celsius gauge\n" in text
    assert "# TYPE node_hwmon_energy_joule_total counter\n" in text
    assert "# HELP node_hwmon_fan_alarm Hardware sensor alarm status (fan)\n" in text
    assert "# HELP node_hwmon_fan_pulses Hardware monitor fan element pulses\n" in text


def test_hwmon_chip_and_sensor_filters(tmp_path):
    tree(tmp_path)
    got = samples(make_collector("hwmon", tmp_path, "--collector.hwmon.chip-include=coretemp",
                                 "--collector.hwmon.sensor-exclude=platform_coretemp_1;temp1").collect())
    chips = {k.split('chip="')[1].split('"')[0] for k in got}
    assert chips == {"platform_coretemp_0", "platform_coretemp_1"}
    assert 'node_hwmon_temp_celsius{chip="platform_coretemp_1",sensor="temp1"}' not in got
    # The chip annotation is not a sensor and stays.
    assert 'node_hwmon_chip_names{chip="platform_coretemp_1",chip_name="coretemp"}' in got
    got = samples(make_collector("hwmon", tmp_path, "--collector.hwmon.chip-exclude=^platform_").collect())
    assert {k.split('chip="')[1].split('"')[0] for k in got} == {"hwmon4", "nct6779"}


def test_hwmon_failing_chip_keeps_the_others(tmp_path):
    # node_exporter goes on past a chip it cannot read and returns the failure at the end: the
    # other chips are served, with success 0.
    write_tree(tmp_path, {
        "sys/class/hwmon/hwmon0/name": "good\n",
        "sys/class/hwmon/hwmon0/temp1_input": "41000\n",
        "sys/class/hwmon/hwmon1/name": "broken\n",
        "sys/class/hwmon/hwmon1/temp1_input": "42000\n",
        "sys/class/hwmon/hwmon1/device": "not a directory\n",
        "sys/class/hwmon/hwmon2/temp1_input": "43000\n",
    })
    collector = make_collector("hwmon", tmp_path)
    families, caught = collect_failing(collector)
    # Named as node_exporter names it: after the `device` entry, which resolves (to the file).
    assert str(caught).startswith("chip hwmon1_device: ") and "not a directory" in str(caught)
    got = samples(families)
    assert got['node_hwmon_temp_celsius{chip="good",sensor="temp1"}'] == 41.0
    assert got['node_hwmon_temp_celsius{chip="hwmon2",sensor="temp1"}'] == 43.0
    assert not [k for k in got if 'chip="hwmon1_device"' in k]
    # An ignored chip is never read, so it cannot fail the scrape.
    flag = "--collector.hwmon.chip-exclude=^hwmon1_device$"
    assert samples(make_collector("hwmon", tmp_path, flag).collect())


@needs_node_exporter
def test_hwmon_failing_chip_as_node_exporter_1_5(tmp_path):
    write_tree(tmp_path, {
        "sys/class/hwmon/hwmon0/name": "good\n",
        "sys/class/hwmon/hwmon0/temp1_input": "41000\n",
        "sys/class/hwmon/hwmon1/temp1_input": "42000\n",
        "sys/class/hwmon/hwmon1/device": "not a directory\n",
    })
    for exporter, body in failing_in_both("hwmon", tmp_path / "sys").items():
        assert 'node_hwmon_temp_celsius{chip="good",sensor="temp1"} 41' in body, exporter
        assert 'chip="hwmon1_device"' not in body, exporter


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("temp1_input", ("temp", 1, "input")),
        ("pwm1_auto_point1_pwm", ("pwm", 1, "auto_point1_pwm")),
        ("beep_enable", ("beep_enable", 0, "")),
        ("temp2", ("temp", 2, "")),
        ("fan10_min", ("fan", 10, "min")),
        ("name", ("name", 0, "")),
        ("1abc", None),
        ("", None),
        ("temp99999999999999999999_input", None),
    ],
)
def test_explode_sensor_filename(filename, expected):
    assert explode_sensor_filename(filename) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("coretemp\n", "coretemp"), ("Core 0", "core_0"), ("__x-y.z__", "x_y_z"), ("", ""), ("!!!", "")],
)
def test_clean_metric_name(raw, expected):
    assert clean_metric_name(raw) == expected


def test_sensor_samples_bare_value_and_input():
    got = sensor_samples("c", "temp1", {"": "1000", "input": "2000", "type": "3"})
    names = {(name, value) for name, _, _, _, value in got}
    assert ("node_hwmon_temp_celsius", 1.0) in names
    assert ("node_hwmon_temp_input_celsius", 2.0) in names
    assert ("node_hwmon_temp_type", 3.0) in names


def test_sensor_samples_freq_without_label_is_skipped():
    assert sensor_samples("c", "freq1", {"input": "1000000"}) == []


def test_disambiguate():
    chips = [Chip("a", "platform_x", "one", "hwmon1"), Chip("b", "platform_x", "two", "hwmon2"),
             Chip("c", "platform_y", "same", "hwmon3"), Chip("d", "platform_y", "same", "hwmon4"),
             Chip("e", "solo", None, "hwmon5")]
    disambiguate(chips)
    assert [c.label for c in chips] == ["platform_x_one", "platform_x_two", "platform_y_hwmon3",
                                        "platform_y_hwmon4", "solo"]
