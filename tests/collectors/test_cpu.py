import os

import pytest

from pyexporter.collectors.cpu import advance_cpu_stats
from pyexporter.errors import ParseError
from pyexporter.procfs.cpuinfo import X86
from pyexporter.procfs.stat import CPUStat
from tests.procfs.test_cpuinfo import CPUINFO_X86
from tests.support import collect_text, make_collector, samples, symlink, write_tree

STAT = """\
cpu  30 40 50 60 70 80 90 100 110 120
cpu0 10 20 30 40000 50 60 70 80 90 100
cpu1 11 21 31 41000 51 61 71 81 91 101
"""


# --- /proc/cpuinfo --------------------------------------------------------------------------


# --- helpers ---------------------------------------------------------------------------------


def test_advance_cpu_stats_holds_counters_that_go_backwards():
    cache: dict[int, CPUStat] = {}
    advance_cpu_stats(cache, {0: CPUStat(user=10.0, idle=100.0)})
    advance_cpu_stats(cache, {0: CPUStat(user=9.0, idle=101.0)})
    assert cache[0].user == 10.0 and cache[0].idle == 101.0


def test_advance_cpu_stats_resets_on_hotplug():
    cache: dict[int, CPUStat] = {}
    advance_cpu_stats(cache, {0: CPUStat(user=10.0, idle=100.0)})
    # Idle fell by 3 s or more: a replugged CPU starts from its new readings.
    advance_cpu_stats(cache, {0: CPUStat(user=1.0, idle=97.0)})
    assert cache[0] == CPUStat(user=1.0, idle=97.0)


def test_advance_cpu_stats_drops_offline_cpus():
    cache: dict[int, CPUStat] = {}
    advance_cpu_stats(cache, {0: CPUStat(), 1: CPUStat(), 2: CPUStat()})
    advance_cpu_stats(cache, {0: CPUStat(), 2: CPUStat()})
    assert sorted(cache) == [0, 2]


# --- the collector ---------------------------------------------------------------------------


def cpu_tree(root, **extra):
    files = {
        "proc/stat": STAT,
        "proc/cpuinfo": CPUINFO_X86,
        "sys/devices/system/cpu/isolated": "1,3-4\n",
        "sys/devices/system/cpu/cpu0/topology/physical_package_id": "0\n",
        "sys/devices/system/cpu/cpu0/topology/core_id": "0\n",
        "sys/devices/system/cpu/cpu0/thermal_throttle/core_throttle_count": "5\n",
        "sys/devices/system/cpu/cpu0/thermal_throttle/package_throttle_count": "30\n",
        "sys/devices/system/cpu/cpu1/topology/physical_package_id": "0\n",
        "sys/devices/system/cpu/cpu1/topology/core_id": "1\n",
        "sys/devices/system/cpu/cpu1/thermal_throttle/core_throttle_count": "2\n",
        "sys/devices/system/cpu/cpu1/thermal_throttle/package_throttle_count": "31\n",
        "sys/devices/system/cpu/cpufreq": None,
    }
    files.update(extra)
    return write_tree(root, files)


def cpu_collector(root, *flags):
    collector = make_collector("cpu", root, *flags)
    collector.cpuinfo_format = X86
    return collector


def test_cpu_seconds_and_guest(tmp_path):
    got = samples(cpu_collector(cpu_tree(tmp_path)).collect())
    assert got['node_cpu_seconds_total{cpu="0",mode="idle"}'] == 400.0
    assert got['node_cpu_seconds_total{cpu="1",mode="user"}'] == 0.11
    assert got['node_cpu_seconds_total{cpu="1",mode="steal"}'] == 0.81
    assert got['node_cpu_guest_seconds_total{cpu="0",mode="user"}'] == 0.9
    assert got['node_cpu_guest_seconds_total{cpu="1",mode="nice"}'] == 1.01
    assert len([k for k in got if k.startswith("node_cpu_seconds_total")]) == 16
    # The info metrics are off by default.
    assert not any(k.startswith("node_cpu_info") for k in got)


def test_cpu_guest_off(tmp_path):
    got = samples(cpu_collector(cpu_tree(tmp_path), "--no-collector.cpu.guest").collect())
    assert not any(k.startswith("node_cpu_guest") for k in got)
    assert 'node_cpu_seconds_total{cpu="0",mode="user"}' in got


def test_cpu_throttles_isolated(tmp_path):
    got = samples(cpu_collector(cpu_tree(tmp_path)).collect())
    assert got['node_cpu_core_throttles_total{core="0",package="0"}'] == 5
    assert got['node_cpu_core_throttles_total{core="1",package="0"}'] == 2
    # A package's count is read from its first CPU only.
    assert got['node_cpu_package_throttles_total{package="0"}'] == 30
    assert [k for k in got if k.startswith("node_cpu_isolated")] == [
        'node_cpu_isolated{cpu="1"}', 'node_cpu_isolated{cpu="3"}', 'node_cpu_isolated{cpu="4"}']


def test_cpu_info(tmp_path):
    got = samples(cpu_collector(cpu_tree(tmp_path), "--collector.cpu.info").collect())
    key = ('node_cpu_info{cachesize="8192 KB",core="3",cpu="1",family="6",microcode="0xb4",model="142",'
           'model_name="Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz",package="1",stepping="10",'
           'vendor="GenuineIntel"}')
    assert got[key] == 1
    # Without an include pattern no flag or bug series is produced.
    assert not any(k.startswith(("node_cpu_flag_info", "node_cpu_bug_info")) for k in got)


def test_cpu_flags_and_bugs_include(tmp_path):
    collector = cpu_collector(cpu_tree(tmp_path), "--collector.cpu.info.flags-include=^(aes|avx.?)$",
                              "--collector.cpu.info.bugs-include=spectre")
    got = samples(collector.collect())
    assert sorted(k for k in got if k.startswith("node_cpu_flag_info")) == [
        'node_cpu_flag_info{flag="aes"}', 'node_cpu_flag_info{flag="avx"}', 'node_cpu_flag_info{flag="avx2"}']
    assert sorted(k for k in got if k.startswith("node_cpu_bug_info")) == [
        'node_cpu_bug_info{bug="spectre_v1"}', 'node_cpu_bug_info{bug="spectre_v2"}']
    # An include pattern turns the info metrics on by itself.
    assert any(k.startswith("node_cpu_info{") for k in got)


def test_cpu_help_text(tmp_path):
    text = collect_text(cpu_collector(cpu_tree(tmp_path), "--collector.cpu.info"))
    assert "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n" in text
    assert "# TYPE node_cpu_core_throttles_total counter\n" in text
    assert ("# HELP node_cpu_isolated Whether each core is isolated, information from "
            "/sys/devices/system/cpu/isolated.\n") in text


def test_cpu_counters_never_go_backwards_between_scrapes(tmp_path):
    cpu_tree(tmp_path)
    collector = cpu_collector(tmp_path)
    list(collector.collect())
    write_tree(tmp_path, {"proc/stat": STAT.replace("cpu0 10 20", "cpu0 5 20")})
    got = samples(collector.collect())
    assert got['node_cpu_seconds_total{cpu="0",mode="user"}'] == 0.1


def test_cpu_online(tmp_path):
    cpu_tree(tmp_path, **{"sys/devices/system/cpu/cpu0/online": "1\n",
                          "sys/devices/system/cpu/cpu1/online": "0\n",
                          "sys/devices/system/cpu/cpu2/online": "x\n"})
    got = samples(cpu_collector(tmp_path).collect())
    assert got['node_cpu_online{cpu="0"}'] == 1
    assert got['node_cpu_online{cpu="1"}'] == 0
    assert got['node_cpu_online{cpu="2"}'] == 0


def test_cpu_online_not_reported_without_cpu0_file(tmp_path):
    # x86 has no online file for cpu0; node_exporter then reports no online state at all.
    cpu_tree(tmp_path, **{"sys/devices/system/cpu/cpu1/online": "1\n"})
    assert not any(k.startswith("node_cpu_online") for k in samples(cpu_collector(tmp_path).collect()))


def test_cpu_skips_unreadable_and_broken_sysfs_attributes(tmp_path):
    cpu_tree(tmp_path, **{
        # A directory where an attribute should be: unreadable.
        "sys/devices/system/cpu/cpu1/topology/core_id": None,
        "sys/devices/system/cpu/cpu2/topology/core_id": "0\n",
        "sys/devices/system/cpu/cpu3/topology/physical_package_id": "7\n",
        "sys/devices/system/cpu/cpu3/topology/core_id": "garbage\n",
    })
    os.rmdir(tmp_path / "sys/devices/system/cpu/cpu1/topology/core_id")
    (tmp_path / "sys/devices/system/cpu/cpu1/topology/core_id").mkdir()
    symlink(tmp_path, "sys/devices/system/cpu/cpu2/topology/physical_package_id", "/nonexistent/target")
    got = samples(cpu_collector(tmp_path).collect())
    throttles = sorted(k for k in got if "throttles" in k)
    assert throttles == ['node_cpu_core_throttles_total{core="0",package="0"}',
                         'node_cpu_package_throttles_total{package="0"}']


def test_cpu_missing_throttle_counts(tmp_path):
    write_tree(tmp_path, {
        "proc/stat": STAT,
        "sys/devices/system/cpu/cpu0/topology/physical_package_id": "0\n",
        "sys/devices/system/cpu/cpu0/topology/core_id": "0\n",
    })
    got = samples(cpu_collector(tmp_path).collect())
    assert not any("throttles" in k for k in got)
    assert not any(k.startswith("node_cpu_isolated") for k in got)


def test_cpu_missing_stat_fails(tmp_path):
    write_tree(tmp_path, {"sys/devices/system/cpu/isolated": ""})
    with pytest.raises(FileNotFoundError):
        list(cpu_collector(tmp_path).collect())


def test_cpu_malformed_stat_fails(tmp_path):
    cpu_tree(tmp_path, **{"proc/stat": "cpu0 1 2 three\n"})
    with pytest.raises(ParseError):
        list(cpu_collector(tmp_path).collect())


def test_cpu_empty_stat(tmp_path):
    cpu_tree(tmp_path, **{"proc/stat": ""})
    got = samples(cpu_collector(tmp_path).collect())
    assert not any(k.startswith("node_cpu_seconds_total") for k in got)


def test_cpu_missing_cpuinfo_fails_only_with_info(tmp_path):
    cpu_tree(tmp_path)
    os.remove(tmp_path / "proc/cpuinfo")
    list(cpu_collector(tmp_path).collect())
    with pytest.raises(FileNotFoundError):
        list(cpu_collector(tmp_path, "--collector.cpu.info").collect())


def test_cpu_bad_isolated_file_fails_scrapes(tmp_path):
    cpu_tree(tmp_path, **{"sys/devices/system/cpu/isolated": "1-x\n"})
    with pytest.raises(ParseError):
        list(cpu_collector(tmp_path).collect())
