import pytest

from pyexporter.errors import ParseError
from tests.procfs.test_drbd import DRBD
from tests.support import collect_text, make_collector, samples, write_tree


def test_drbd_collector(tmp_path):
    write_tree(tmp_path, {"proc/drbd": DRBD})
    collector = make_collector("drbd", tmp_path)
    got = samples(collector.collect())
    assert got['node_drbd_network_sent_bytes_total{device="drbd1"}'] == 10 * 1024
    assert got['node_drbd_network_received_bytes_total{device="drbd1"}'] == 20
    assert got['node_drbd_out_of_sync_bytes{device="drbd1"}'] == 2048
    assert got['node_drbd_epochs{device="drbd1"}'] == 1
    assert got['node_drbd_connected{device="drbd1"}'] == 1
    assert got['node_drbd_connected{device="drbd2"}'] == 0
    assert got['node_drbd_node_role_is_primary{device="drbd1",node="local"}'] == 1
    assert got['node_drbd_node_role_is_primary{device="drbd1",node="remote"}'] == 0
    assert got['node_drbd_disk_state_is_up_to_date{device="drbd1",node="remote"}'] == 0
    assert got['node_drbd_disk_state_is_up_to_date{device="drbd2",node="local"}'] == 0
    text = collect_text(collector)
    assert "# HELP node_drbd_local_pending Number of open requests to the local I/O sub-system.\n" in text
    assert "# TYPE node_drbd_activitylog_writes_total counter\n" in text
    assert "# TYPE node_drbd_remote_pending gauge\n" in text


@pytest.mark.parametrize("bad", ["ns:abc", "ro:Primary"])
def test_drbd_malformed_value(tmp_path, bad):
    write_tree(tmp_path, {"proc/drbd": DRBD + f" 3: {bad}\n"})
    with pytest.raises(ParseError):
        list(make_collector("drbd", tmp_path).collect())
