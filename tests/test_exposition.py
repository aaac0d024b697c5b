
import pytest

from pyexporter.exposition import negotiate, render_openmetrics, render_text
from pyexporter.metrics import MetricFamily, counter, gauge, untyped


def test_render_text_escapes_and_sorts_labels():
    fam = gauge("node_x", "Help with \\ and\nnewline.", "zeta", "alpha").family()
    fam.add(3, "z", 'a"b\\c\nd')
    assert render_text([fam]) == (
        b'# HELP node_x Help with \\\\ and\\nnewline.\n# TYPE node_x gauge\n'
        b'node_x{alpha="a\\"b\\\\c\\nd",zeta="z"} 3\n'
    )


def test_render_text_skips_empty_families():
    assert render_text([gauge("node_empty", "Nothing.").family()]) == b""


def test_render_openmetrics_types():
    families = [
        counter("node_c_total", "A counter.").one(5),
        counter("node_bare", "A counter without suffix.").one(1),
        untyped("node_u", "Untyped.").one(0.5),
        gauge("node_g", "A gauge.").one(2),
    ]
    text = render_openmetrics(families).decode()
    assert "# TYPE node_c counter\nnode_c_total 5.0\n" in text
    assert "# TYPE node_bare counter\nnode_bare_total 1.0\n" in text
    assert "# TYPE node_u unknown\nnode_u 0.5\n" in text
    assert "# TYPE node_g gauge\nnode_g 2.0\n" in text
    assert text.endswith("# EOF\n")


def test_render_histogram_keeps_sample_order():
    fam = MetricFamily("x_seconds", "A histogram.", "histogram")
    fam.add_sample("x_seconds_bucket", {"le": "0.5"}, 1)
    fam.add_sample("x_seconds_bucket", {"le": "+Inf"}, 2)
    fam.add_sample("x_seconds_sum", {}, 0.7)
    fam.add_sample("x_seconds_count", {}, 2)
    assert render_text([fam]).decode().splitlines()[2:] == [
        'x_seconds_bucket{le="0.5"} 1', 'x_seconds_bucket{le="+Inf"} 2', "x_seconds_sum 0.7",
        "x_seconds_count 2"]


@pytest.mark.parametrize(("accept", "fmt"), [
    (None, "text"), ("", "text"), ("text/plain", "text"), ("*/*", "text"),
    ("application/openmetrics-text; version=1.0.0", "openmetrics"),
    ("application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
     "openmetrics"),
    ("text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5", "text"),
    ("application/openmetrics-text; version=9.9.9", "text"),
    ("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited", "text"),
])
def test_negotiate(accept, fmt):
    assert negotiate(accept) == fmt
