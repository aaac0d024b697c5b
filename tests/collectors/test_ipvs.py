import pytest

from pyexporter.collectors.ipvs import parse_backend_labels
from pyexporter.errors import ConfigError, NoDataError, ParseError
from tests.procfs.test_ipvs import IPVS, STATS
from tests.support import collect_text, make_collector, samples, write_tree


def test_parse_backend_labels():
    assert parse_backend_labels("proto,local_address,,proto") == ("local_address", "proto")
    assert parse_backend_labels("") == ()
    with pytest.raises(ConfigError, match="bogus"):
        parse_backend_labels("proto,bogus")


def test_ipvs_collector(tmp_path):
    write_tree(tmp_path, {"proc/net/ip_vs_stats": STATS, "proc/net/ip_vs": IPVS})
    collector = make_collector("ipvs", tmp_path)
    got = samples(collector.collect())
    assert got["node_ipvs_connections_total"] == 0x16AA370
    assert got["node_ipvs_incoming_bytes_total"] == 0x51D8C8883AB3
    labels = ('local_address="",local_mark="10001000",local_port="0",proto="FWM",'
              'remote_address="192.168.50.26",remote_port="3306"')
    # Two real servers with the same labels are summed.
    assert got[f"node_ipvs_backend_connections_active{{{labels}}}"] == 70
    assert got[f"node_ipvs_backend_connections_inactive{{{labels}}}"] == 8
    assert got[f"node_ipvs_backend_weight{{{labels}}}"] == 25
    assert "# TYPE node_ipvs_backend_weight gauge\n" in collect_text(collector)


def test_ipvs_backend_labels_flag_aggregates(tmp_path):
    write_tree(tmp_path, {"proc/net/ip_vs_stats": STATS, "proc/net/ip_vs": IPVS})
    got = samples(make_collector("ipvs", tmp_path, "--collector.ipvs.backend-labels=proto").collect())
    assert got['node_ipvs_backend_connections_active{proto="TCP"}'] == 496
    assert got['node_ipvs_backend_connections_active{proto="FWM"}'] == 70
    assert got['node_ipvs_backend_weight{proto="UDP"}'] == 1


def test_ipvs_unknown_label_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError):
        make_collector("ipvs", tmp_path, "--collector.ipvs.backend-labels=nope")


def test_ipvs_missing_stats_is_no_data(tmp_path):
    write_tree(tmp_path, {"proc/net/ip_vs": IPVS})
    with pytest.raises(NoDataError):
        list(make_collector("ipvs", tmp_path).collect())


def test_ipvs_missing_backends_fails(tmp_path):
    write_tree(tmp_path, {"proc/net/ip_vs_stats": STATS})
    with pytest.raises(FileNotFoundError):
        list(make_collector("ipvs", tmp_path).collect())


def test_ipvs_empty_files(tmp_path):
    write_tree(tmp_path, {"proc/net/ip_vs_stats": "", "proc/net/ip_vs": ""})
    with pytest.raises(ParseError):
        list(make_collector("ipvs", tmp_path).collect())
    write_tree(tmp_path, {"proc/net/ip_vs_stats": STATS})
    got = samples(make_collector("ipvs", tmp_path).collect())
    assert not any("backend" in k for k in got) and len(got) == 5


def test_ipvs_malformed_backend_line_fails(tmp_path):
    bad = IPVS + "  -> C0A8321A:0CEA Route x 6 7\n"
    write_tree(tmp_path, {"proc/net/ip_vs_stats": STATS, "proc/net/ip_vs": bad})
    with pytest.raises(ParseError):
        list(make_collector("ipvs", tmp_path).collect())
