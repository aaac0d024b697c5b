
import pytest

from pyexporter.collectors.cpufreq import governor_states
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

CPU = "sys/devices/system/cpu"


def tree(root):
    files = {f"{CPU}/offline": "3\n", f"{CPU}/online": "0-2\n", f"{CPU}/cpufreq/.keep": ""}
    for n in range(4):
        pol = f"{CPU}/cpufreq/policy{n}"
        files.update({
            f"{pol}/scaling_cur_freq": f"{1699981 + n}\n", f"{pol}/scaling_min_freq": "800000\n",
            f"{pol}/scaling_max_freq": "3700000\n", f"{pol}/scaling_governor": "powersave\n",
            f"{pol}/scaling_available_governors": "performance powersave\n",
            f"{pol}/cpuinfo_transition_latency": "0\n", f"{pol}/related_cpus": f"{n}\n",
        })
    files[f"{CPU}/cpufreq/policy0/cpuinfo_cur_freq"] = None  # root-only: unreadable
    files[f"{CPU}/cpufreq/policy0/cpuinfo_max_freq"] = "4200000\n"
    files[f"{CPU}/cpufreq/policy2/scaling_governor"] = "\n"
    files[f"{CPU}/cpu4/topology/core_id"] = "0\n"  # no cpufreq at all
    files[f"{CPU}/cpuidle/state"] = "\n"
    write_tree(root, files)
    for n in range(4):
        symlink(root, f"{CPU}/cpu{n}/cpufreq", f"../cpufreq/policy{n}")


def test_cpufreq_collector(tmp_path):
    tree(tmp_path)
    got = samples(make_collector("cpufreq", tmp_path).collect())
    assert got == {
        'node_cpu_frequency_max_hertz{cpu="0"}': 4.2e9,
        'node_cpu_scaling_frequency_hertz{cpu="0"}': 1699981000,
        'node_cpu_scaling_frequency_hertz{cpu="1"}': 1699982000,
        'node_cpu_scaling_frequency_hertz{cpu="2"}': 1699983000,
        'node_cpu_scaling_frequency_min_hertz{cpu="0"}': 8e8,
        'node_cpu_scaling_frequency_min_hertz{cpu="1"}': 8e8,
        'node_cpu_scaling_frequency_min_hertz{cpu="2"}': 8e8,
        'node_cpu_scaling_frequency_max_hertz{cpu="0"}': 3.7e9,
        'node_cpu_scaling_frequency_max_hertz{cpu="1"}': 3.7e9,
        'node_cpu_scaling_frequency_max_hertz{cpu="2"}': 3.7e9,
        'node_cpu_scaling_governor{cpu="0",governor="performance"}': 0,
        'node_cpu_scaling_governor{cpu="0",governor="powersave"}': 1,
        'node_cpu_scaling_governor{cpu="1",governor="performance"}': 0,
        'node_cpu_scaling_governor{cpu="1",governor="powersave"}': 1,
    }


def test_cpufreq_unparseable_frequency_fails_but_keeps_the_other_cpus(tmp_path):
    # procfs fails on a frequency file it cannot parse (absent and refused ones are skipped):
    # node_exporter then serves no cpufreq metrics, with success 0 (drivers that print
    # "<unknown>", node_exporter issue 1710). Success 0 here too, with
    # the CPUs that could be read.
    tree(tmp_path)
    write_tree(tmp_path, {f"{CPU}/cpufreq/policy1/scaling_min_freq": "<unknown>\n"})
    families, caught = collect_failing(make_collector("cpufreq", tmp_path))
    assert "cpu1/cpufreq/scaling_min_freq" in str(caught)
    got = samples(families)
    assert got['node_cpu_scaling_frequency_hertz{cpu="0"}'] == 1699981000
    assert got['node_cpu_scaling_frequency_hertz{cpu="2"}'] == 1699983000
    assert not [k for k in got if 'cpu="1"' in k]


def test_cpufreq_empty_transition_latency_fails_too(tmp_path):
    # procfs parses cpuinfo_transition_latency with the frequencies, though no metric shows it.
    tree(tmp_path)
    write_tree(tmp_path, {f"{CPU}/cpufreq/policy2/cpuinfo_transition_latency": ""})
    families, caught = collect_failing(make_collector("cpufreq", tmp_path))
    assert "cpu2/cpufreq/cpuinfo_transition_latency" in str(caught)
    assert not [k for k in samples(families) if 'cpu="2"' in k]


@needs_node_exporter
def test_cpufreq_unparseable_frequency_fails_as_in_node_exporter_1_5(tmp_path):
    tree(tmp_path)
    write_tree(tmp_path, {f"{CPU}/cpufreq/policy1/scaling_min_freq": "<unknown>\n"})
    failing_in_both("cpufreq", tmp_path / "sys")


def test_cpufreq_help(tmp_path):
    tree(tmp_path)
    text = collect_text(make_collector("cpufreq", tmp_path))
    assert "# HELP node_cpu_scaling_governor Current enabled CPU frequency governor.\n" in text
    assert "# HELP node_cpu_scaling_frequency_hertz Current scaled CPU thread frequency in hertz.\n" in text


def test_cpufreq_without_offline_file(tmp_path):
    tree(tmp_path)
    (tmp_path / CPU / "offline").unlink()
    got = samples(make_collector("cpufreq", tmp_path).collect())
    assert 'node_cpu_scaling_frequency_hertz{cpu="3"}' in got


def test_governor_states():
    assert governor_states("", "a b") == []
    assert governor_states("b", "a b") == [("a", 0.0), ("b", 1.0)]
    assert governor_states("x", "") == [("", 0.0)]


CPUINFO = "".join(
    f"processor\t: {n}\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 142\n"
    f"model name\t: Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz\ncpu MHz\t\t: {799.998 + n}\n"
    f"physical id\t: 0\ncore id\t\t: {n % 2}\nflags\t\t: fpu aes\n\n"
    for n in range(2)
)


def cpuinfo_collector(root, *flags):
    collector = make_collector("cpufreq", root, *flags)
    collector.cpuinfo_format = "x86"  # the test's /proc/cpuinfo is x86 whatever runs it
    return collector


@pytest.mark.parametrize(
    ("flags", "present"),
    [
        ((), False),
        (("--collector.cpu.info",), True),
        (("--collector.cpu.info.flags-include=^aes$",), True),
        (("--collector.cpu.info", "--no-collector.cpu"), False),
    ],
)
def test_cpuinfo_frequency_follows_the_cpu_collector(tmp_path, flags, present):
    tree(tmp_path)
    write_tree(tmp_path, {"proc/cpuinfo": CPUINFO})
    got = samples(cpuinfo_collector(tmp_path, *flags).collect())
    assert ('node_cpu_frequency_hertz{core="1",cpu="1",package="0"}' in got) is present
    if present:
        assert got['node_cpu_frequency_hertz{core="0",cpu="0",package="0"}'] == 799998000
        assert "# HELP node_cpu_frequency_hertz CPU frequency in hertz from /proc/cpuinfo.\n" in collect_text(
            cpuinfo_collector(tmp_path, *flags))


def test_cpuinfo_unreadable_keeps_cpufreq(tmp_path):
    tree(tmp_path)
    write_tree(tmp_path, {"proc/cpuinfo": None})
    got = samples(cpuinfo_collector(tmp_path, "--collector.cpu.info").collect())
    assert not any(k.startswith("node_cpu_frequency_hertz") for k in got)
    assert 'node_cpu_scaling_frequency_hertz{cpu="0"}' in got
