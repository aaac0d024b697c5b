import pytest

from pyexporter.collectors.xfrm import XFRM_COUNTERS
from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree

XFRM_STAT = "XfrmInError                     1\nXfrmInBufferError       2\nXfrmAcquireError  245\nXfrmNew 9\n"


def test_xfrm_collector(tmp_path):
    write_tree(tmp_path, {"proc/net/xfrm_stat": XFRM_STAT})
    collector = make_collector("xfrm", tmp_path)
    got = samples(collector.collect())
    # every counter procfs knows is exposed, unknown ones are not
    assert len(got) == len(XFRM_COUNTERS) == 28
    assert got["node_xfrm_in_error_packets_total"] == 1
    assert got["node_xfrm_in_buffer_error_packets_total"] == 2
    assert got["node_xfrm_acquire_error_packets_total"] == 245
    assert got["node_xfrm_out_pol_dead_packets_total"] == 0
    text = collect_text(collector)
    assert "# HELP node_xfrm_out_state_invalid_packets_total State is invalid, perhaps expired\n" in text
    assert "# TYPE node_xfrm_fwd_hdr_error_packets_total counter\n" in text


def test_xfrm_empty_file(tmp_path):
    write_tree(tmp_path, {"proc/net/xfrm_stat": ""})
    assert set(samples(make_collector("xfrm", tmp_path).collect()).values()) == {0}


def test_xfrm_malformed_line(tmp_path):
    write_tree(tmp_path, {"proc/net/xfrm_stat": XFRM_STAT + "XfrmOutError\n"})
    with pytest.raises(ParseError):
        list(make_collector("xfrm", tmp_path).collect())


def test_xfrm_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(make_collector("xfrm", tmp_path).collect())
