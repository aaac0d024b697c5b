"""Collectors that walk /sys/class/<class>: an entry that is a loop of symbolic links is broken input.

node_exporter fails such a collector (checked against 1.5.0: netclass, hwmon, infiniband, nvme,
power_supply, scsi_tape and thermal all report success 0 with `loop0 -> loop1 -> loop0` entries).
pyexporter goes on past the loop, so every other device is still served, and reports the failure
(CollectorError: node_scrape_collector_success 0) instead of hiding it behind success 1.
"""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from pyexporter.errors import CollectorError
from pyexporter.loader import load_collectors
from pyexporter.scrape import collect_until_error
from tests.support import conformance_fixtures, conformance_flags, make_settings, samples, scrape_once

#: collector -> (class folder, the name prefix the collector reads there).
CLASS_WALKERS = {
    "netclass": ("net", "eth"),
    "hwmon": ("hwmon", "hwmon"),
    "infiniband": ("infiniband", "mlx4_"),
    "nvme": ("nvme", "nvme"),
    "powersupplyclass": ("power_supply", "BAT"),
    "tapestats": ("scsi_tape", "st"),
    "thermal_zone": ("thermal", "thermal_zone"),
    "fibrechannel": ("fc_host", "host"),
    "rapl": ("powercap", "intel-rapl:"),
    "watchdog": ("watchdog", "watchdog"),
    "nvmesubsystem": ("nvme-subsystem", "nvme-subsys"),
}


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    """node_exporter's fixture tree as it is, and a copy with a link loop in every class folder."""
    fixtures = conformance_fixtures()
    if fixtures is None:
        pytest.skip("../shared/conformance is not present")
    looped = tmp_path_factory.mktemp("looped")
    shutil.copytree(fixtures / "sys", looped / "sys", symlinks=True)
    shutil.copytree(fixtures / "proc", looped / "proc", symlinks=True)
    for folder, prefix in CLASS_WALKERS.values():
        class_dir = looped / "sys" / "class" / folder
        os.symlink(f"{prefix}98", class_dir / f"{prefix}99")
        os.symlink(f"{prefix}99", class_dir / f"{prefix}98")
    return fixtures, looped


def _collector(name: str, root, suite_flags: list[str]):
    # The suite's collector flags (chip filters and the like), on the given tree.
    flags = [f for f in suite_flags if f.startswith(f"--collector.{name}.")
             or (name == "powersupplyclass" and f.startswith("--collector.powersupply."))]
    return load_collectors()[name](make_settings(root, *flags))


def _rooted(got: dict[str, float], root) -> dict[str, float]:
    """Sample keys with the tree's own location left out (rapl names its zones by path)."""
    return {key.replace(str(root), "<root>"): value for key, value in got.items()}


@pytest.mark.parametrize("name", sorted(CLASS_WALKERS))
def test_a_link_loop_fails_the_collector_but_keeps_the_other_devices(trees, name):
    fixtures, looped = trees
    suite_flags = conformance_flags(fixtures)
    intact = _rooted(samples(_collector(name, fixtures, suite_flags).collect()), fixtures)
    assert intact, f"{name} serves nothing on node_exporter's tree"
    families, error = collect_until_error(_collector(name, looped, suite_flags))
    assert isinstance(error, CollectorError) and "too many levels of symbolic links" in str(error)
    kept = _rooted(samples(families), looped)
    # Every device of the intact tree is still served, with the same values; the loop adds nothing.
    assert kept == intact


def test_netclass_with_a_link_loop_end_to_end(trees):
    _, looped = trees
    body = scrape_once([sys.executable, "-m", "pyexporter"], [
        "--collector.disable-defaults", "--collector.netclass", f"--path.sysfs={looped / 'sys'}",
        f"--path.procfs={looped / 'proc'}"])
    assert 'node_scrape_collector_success{collector="netclass"} 0' in body
    assert 'node_network_mtu_bytes{device="eth0"} 1500' in body
    assert "eth98" not in body and "eth99" not in body
