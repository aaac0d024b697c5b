"""The optimised exposition writer writes exactly the bytes the reference writer wrote.

The reference is the writer as it stood before it was optimised
(tests/exposition_reference.py). Compared on every collector's output for
node_exporter's conformance tree, on a big synthetic node, and on generated
values and label texts.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.tree import TreeSize, generate
from pyexporter import exposition
from pyexporter.cli import parse_args
from pyexporter.gather import gather
from pyexporter.metrics import COUNTER, GAUGE, HISTOGRAM, SUMMARY, UNTYPED, MetricFamily
from pyexporter.registry import create_collectors
from tests import exposition_reference as reference
from tests.known_flags import known_only
from tests.support import conformance_fixtures, conformance_flags


def _collect(argv: list[str]) -> list[MetricFamily]:
    keep, _ = known_only(argv)
    collectors = create_collectors(parse_args(keep))
    groups = []
    for collector in collectors.values():
        try:
            groups.append(list(collector.collect()))
        except Exception:  # a failing collector simply has no families, as in a scrape
            continue
    return gather(groups)


def _assert_identical(families: list[MetricFamily]) -> None:
    assert sum(len(f.samples) for f in families) > 1000
    assert exposition.render_text(families) == reference.render_text(families)
    assert exposition.render_openmetrics(families) == reference.render_openmetrics(families)
    assert (exposition.render_openmetrics(families, eof=False)
            == reference.render_openmetrics(families, eof=False))


def test_identical_on_the_conformance_tree():
    fixtures = conformance_fixtures()
    if fixtures is None:
        pytest.skip("the conformance tree is not present")
    _assert_identical(_collect(conformance_flags(fixtures)))


def test_identical_on_a_big_synthetic_node(tmp_path):
    tree = tmp_path / "tree"
    generate(str(tree), TreeSize(cpus=32, interfaces=150, disks=12, mounts=50, processes=100))
    argv = [f"--path.procfs={tree}/proc", f"--path.sysfs={tree}/sys", f"--path.rootfs={tree}/root",
            f"--path.udev.data={tree}/udev", "--no-collector.filesystem", "--collector.processes",
            "--no-collector.netdev.netlink", "--no-collector.arp.netlink"]
    _assert_identical(_collect(argv))


_floats = (st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(2**70), 2**70).map(float)
           | st.sampled_from([0.0, -0.0, 1e6, -1e6, 999999.0, 1e16, 2.0**53, 2.0**53 + 2, 1e-4, 9.99e-5,
                              1e21, 5e-324]))


@settings(max_examples=3000, deadline=None)
@given(_floats)
def test_float_formatting_identical(value):
    assert exposition.format_go_float(value) == reference.format_go_float(value)
    assert exposition._format_openmetrics_float(value) == reference._format_openmetrics_float(value)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "device", "le"]), st.text(max_size=12)), max_size=3),
       st.text(max_size=30), _floats, st.sampled_from([GAUGE, COUNTER, UNTYPED]))
def test_samples_identical(labels, help_text, value, mtype):
    fam = MetricFamily("node_x", help_text, mtype)
    fam.add_sample("node_x", dict(labels), value)
    fam.add_sample("node_x_other", {}, value)
    for writer in ("render_text", "render_openmetrics"):
        assert getattr(exposition, writer)([fam]) == getattr(reference, writer)([fam])


@pytest.mark.parametrize("mtype", [HISTOGRAM, SUMMARY])
def test_histograms_and_summaries_identical(mtype):
    fam = MetricFamily("node_h_seconds", "A distribution.", mtype)
    key = "le" if mtype == HISTOGRAM else "quantile"
    for bound, count in (("0.005", 1), ("1e-05", 2), ("+Inf", 9), ("7", 3), ("x", 4)):
        fam.add_sample("node_h_seconds_bucket", {key: bound, "dev": 'a"b'}, count)
    fam.add_sample("node_h_seconds_sum", {}, math.pi)
    fam.add_sample("node_h_seconds_count", {}, 9)
    assert exposition.render_text([fam]) == reference.render_text([fam])
    assert exposition.render_openmetrics([fam]) == reference.render_openmetrics([fam])


@pytest.mark.parametrize("fmt", ["text", "openmetrics"])
def test_encode_streams_the_same_body(fmt):
    import gzip

    families = [MetricFamily(f"node_f{i}", "F.", GAUGE, ("device",)) for i in range(50)]
    for i, fam in enumerate(families):
        for j in range(40):
            fam.add(i * j + 0.5, f"dev{j}")
    plain = exposition.encode(families, fmt)
    render = exposition.render_openmetrics if fmt == "openmetrics" else exposition.render_text
    assert plain == render(families)
    assert gzip.decompress(exposition.encode(families, fmt, 1)) == plain
