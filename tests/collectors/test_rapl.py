import os

import pytest

from pyexporter.errors import NoDataError
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

PC = "sys/class/powercap"


def tree(root):
    write_tree(root, {
        f"{PC}/intel-rapl/enabled": "1\n",
        f"{PC}/intel-rapl:0/name": "package-0\n",
        f"{PC}/intel-rapl:0/energy_uj": "240422366267\n",
        f"{PC}/intel-rapl:0/max_energy_range_uj": "262143328850\n",
        f"{PC}/intel-rapl:0:0/name": "core\n",
        f"{PC}/intel-rapl:0:0/energy_uj": "118821284256\n",
        f"{PC}/intel-rapl:0:0/max_energy_range_uj": "262143328850\n",
        f"{PC}/intel-rapl:0:1/name": "dram\n",
        f"{PC}/intel-rapl:0:1/energy_uj": "1000000\n",
        f"{PC}/intel-rapl:0:1/max_energy_range_uj": "1\n",
        f"{PC}/intel-rapl:1:1/name": "dram\n",
        f"{PC}/intel-rapl:1:1/energy_uj": "2000000\n",
        f"{PC}/intel-rapl:1:1/max_energy_range_uj": "1\n",
        # energy_uj refuses the read (root-only on real machines): the zone is skipped.
        f"{PC}/intel-rapl:1/name": "package-1\n",
        f"{PC}/intel-rapl:1/energy_uj": None,
        f"{PC}/intel-rapl:1/max_energy_range_uj": "1\n",
        # No max_energy_range_uj: not a zone.
        f"{PC}/intel-rapl:2/name": "package-2\n",
        f"{PC}/intel-rapl:2/energy_uj": "5\n",
    })
    symlink(root, f"{PC}/intel-rapl:9", "../../devices/gone")


def test_rapl_collector(tmp_path):
    tree(tmp_path)
    base = os.path.join(str(tmp_path), PC)
    got = samples(make_collector("rapl", tmp_path).collect())
    assert got == {
        f'node_rapl_package_joules_total{{index="0",path="{base}/intel-rapl:0"}}': 240422.366267,
        f'node_rapl_core_joules_total{{index="0",path="{base}/intel-rapl:0:0"}}': 118821.284256,
        f'node_rapl_dram_joules_total{{index="0",path="{base}/intel-rapl:0:1"}}': 1.0,
        f'node_rapl_dram_joules_total{{index="1",path="{base}/intel-rapl:1:1"}}': 2.0,
    }
    text = collect_text(make_collector("rapl", tmp_path))
    assert "# HELP node_rapl_core_joules_total Current RAPL core value in joules\n" \
           "# TYPE node_rapl_core_joules_total counter\n" in text


def test_rapl_unparseable_counter_fails_but_keeps_the_other_zones(tmp_path):
    # node_exporter fails the collector on an energy_uj it cannot parse (success 0).
    tree(tmp_path)
    write_tree(tmp_path, {f"{PC}/intel-rapl:0:0/energy_uj": "x y z\n"})
    base = os.path.join(str(tmp_path), PC)
    families, caught = collect_failing(make_collector("rapl", tmp_path))
    assert "intel-rapl:0:0/energy_uj" in str(caught)
    got = samples(families)
    assert got[f'node_rapl_package_joules_total{{index="0",path="{base}/intel-rapl:0"}}'] == 240422.366267
    assert not [k for k in got if "core" in k]


@needs_node_exporter
def test_rapl_unparseable_counter_fails_as_in_node_exporter_1_5(tmp_path):
    write_tree(tmp_path, {
        f"{PC}/intel-rapl:0/name": "package-0\n",
        f"{PC}/intel-rapl:0/energy_uj": "240422366267\n",
        f"{PC}/intel-rapl:0/max_energy_range_uj": "262143328850\n",
        f"{PC}/intel-rapl:0:0/name": "core\n",
        f"{PC}/intel-rapl:0:0/energy_uj": "x y z\n",
        f"{PC}/intel-rapl:0:0/max_energy_range_uj": "262143328850\n",
    })
    failing_in_both("rapl", tmp_path / "sys")


def test_rapl_zone_label(tmp_path):
    tree(tmp_path)
    base = os.path.join(str(tmp_path), PC)
    got = samples(make_collector("rapl", tmp_path, "--collector.rapl.enable-zone-label").collect())
    assert got[f'node_rapl_joules_total{{index="0",path="{base}/intel-rapl:0",rapl_zone="package"}}'] \
        == 240422.366267
    assert len(got) == 4
    assert "# HELP node_rapl_joules_total Current RAPL value in joules\n" in collect_text(
        make_collector("rapl", tmp_path, "--collector.rapl.enable-zone-label"))


def test_rapl_path_label_keeps_configured_root(tmp_path, monkeypatch):
    tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    collector = make_collector("rapl", tmp_path, "--path.sysfs=sys/")
    assert 'node_rapl_core_joules_total{index="0",path="sys/class/powercap/intel-rapl:0:0"}' in samples(
        collector.collect())


def test_rapl_no_readable_counter(tmp_path):
    write_tree(tmp_path, {f"{PC}/intel-rapl:0/name": "package-0\n", f"{PC}/intel-rapl:0/energy_uj": None,
                          f"{PC}/intel-rapl:0/max_energy_range_uj": "1\n"})
    with pytest.raises(NoDataError):
        list(make_collector("rapl", tmp_path).collect())


