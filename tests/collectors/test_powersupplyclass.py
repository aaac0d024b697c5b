
from pyexporter.collectors.powersupplyclass import info_labels, numeric_values
from tests.support import collect_text, make_collector, samples, symlink, write_tree


def tree(root):
    bat = "sys/devices/LNXSYSTM:00/PNP0C0A:00/power_supply/BAT0"
    write_tree(root, {
        f"{bat}/type": "Battery\n", f"{bat}/status": "Discharging\n", f"{bat}/capacity": "81\n",
        f"{bat}/capacity_level": "Normal\n", f"{bat}/cycle_count": "0\n", f"{bat}/energy_full": "45070000\n",
        f"{bat}/energy_now": "36580000\n", f"{bat}/power_now": "5002000\n", f"{bat}/present": "1\n",
        f"{bat}/voltage_now": "11660000\n", f"{bat}/model_name": b"LNV-45N1\xff\xfe\n",
        f"{bat}/manufacturer": "LGC\n", f"{bat}/temp": "251\n", f"{bat}/health": "\n",
        f"{bat}/current_now": None,  # unreadable
        f"{bat}/charge_now": "garbage\n",
        "sys/class/power_supply/AC/type": "Mains\n",
        "sys/class/power_supply/AC/online": "0\n",
        "sys/class/power_supply/hidpp_battery_0/type": "Battery\n",
    })
    symlink(root, "sys/class/power_supply/BAT0", "../../devices/LNXSYSTM:00/PNP0C0A:00/power_supply/BAT0")
    symlink(root, "sys/class/power_supply/BAT1", "../../devices/gone")


def test_powersupplyclass_collector(tmp_path):
    tree(tmp_path)
    got = samples(make_collector("powersupplyclass", tmp_path,
                                 "--collector.powersupply.ignored-supplies=^hidpp").collect())
    assert got == {
        'node_power_supply_online{power_supply="AC"}': 0,
        'node_power_supply_info{power_supply="AC",type="Mains"}': 1,
        'node_power_supply_capacity{power_supply="BAT0"}': 81,
        'node_power_supply_cyclecount{power_supply="BAT0"}': 0,
        'node_power_supply_energy_full{power_supply="BAT0"}': 45.07,
        'node_power_supply_energy_watthour{power_supply="BAT0"}': 36.58,
        'node_power_supply_power_watt{power_supply="BAT0"}': 5.002,
        'node_power_supply_present{power_supply="BAT0"}': 1,
        'node_power_supply_voltage_volt{power_supply="BAT0"}': 11.66,
        'node_power_supply_temp_celsius{power_supply="BAT0"}': 25.1,
        'node_power_supply_info{capacity_level="Normal",manufacturer="LGC",model_name="LNV-45N1\ufffd",'
        'power_supply="BAT0",status="Discharging",type="Battery"}': 1,
    }


def test_powersupplyclass_help(tmp_path):
    tree(tmp_path)
    text = collect_text(make_collector("powersupplyclass", tmp_path))
    assert ("# HELP node_power_supply_capacity capacity value of /sys/class/power_supply/<power_supply>.\n"
            in text)
    assert "# HELP node_power_supply_info info of /sys/class/power_supply/<power_supply>.\n" in text
    assert 'node_power_supply_info{power_supply="hidpp_battery_0",type="Battery"} 1\n' in text


def test_numeric_values_and_labels():
    assert numeric_values({"online": "1", "voltage_min_design": "10800000", "temp_max": "0x10",
                           "capacity": ""}) == [("online", 1), ("voltage_min_design", 10.8),
                                                ("temp_max_celsius", 1.6)]
    assert info_labels("X", {"type": "USB", "usb_type": "", "scope": "Device"}) == {
        "power_supply": "X", "type": "USB", "scope": "Device"}
