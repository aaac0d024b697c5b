
import pytest

from pyexporter.collectors.fibrechannel import host_attribute
from tests.support import collect_text, make_collector, samples, symlink, write_tree

DEV = "sys/devices/pci0000:00/0000:00:02.0/host0/fc_host/host0"


def tree(tmp_path):
    write_tree(tmp_path, {
        f"{DEV}/speed": "16 Gbit\n",
        f"{DEV}/port_state": "Online\n",
        f"{DEV}/port_type": "NPort (fabric via point-to-point)\n",
        f"{DEV}/port_id": "0x010200\n",
        f"{DEV}/port_name": "0x1000e0071bce95f2\n",
        f"{DEV}/fabric_name": "0x0\n",
        f"{DEV}/node_name": "0x2000e0071bce95f2\n",
        f"{DEV}/symbolic_name": "Emulex LPe32002\n",
        f"{DEV}/supported_classes": "Class 3\n",
        f"{DEV}/supported_speeds": "8 Gbit, 16 Gbit\n",
        # Drivers refuse some attributes: a directory stands in for one here.
        f"{DEV}/dev_loss_tmo/": None,
        f"{DEV}/statistics/rx_frames": "0x30\n",
        f"{DEV}/statistics/tx_frames": "12\n",
        f"{DEV}/statistics/dumped_frames": "0xffffffffffffffff\n",  # not implemented by the firmware
        f"{DEV}/statistics/error_frames": "N/A\n",
        f"{DEV}/statistics/fcp_input_megabytes": "0x5\n",  # not exported by node_exporter
        f"{DEV}/statistics/reset_statistics/": None,
    })
    symlink(tmp_path, "sys/class/fc_host/host0", f"../../../{DEV}")


def test_fibrechannel_host(tmp_path):
    tree(tmp_path)
    symlink(tmp_path, "sys/class/fc_host/host9", "../../devices/gone/host9")  # broken link
    got = samples(make_collector("fibrechannel", tmp_path).collect())
    assert got == {
        'node_fibrechannel_info{dev_loss_tmo="",fabric_name="0",fc_host="host0",port_id="010200",'
        'port_name="1000e0071bce95f2",port_state="Online",port_type="NPort (fabric via point-to-point)",'
        'speed="16 Gbit",supported_classes="Class 3",supported_speeds="8 Gbit, 16 Gbit",'
        'symbolic_name="Emulex LPe32002"}': 1,
        'node_fibrechannel_rx_frames_total{fc_host="host0"}': 48,
        'node_fibrechannel_tx_frames_total{fc_host="host0"}': 12,
    }


def test_fibrechannel_help(tmp_path):
    tree(tmp_path)
    text = collect_text(make_collector("fibrechannel", tmp_path))
    assert "# HELP node_fibrechannel_rx_frames_total Number of frames received\n" in text
    assert "# TYPE node_fibrechannel_rx_frames_total counter\n" in text


def test_fibrechannel_host_without_statistics(tmp_path):
    write_tree(tmp_path, {"sys/class/fc_host/host1/port_state": "Linkdown\n"})
    got = samples(make_collector("fibrechannel", tmp_path).collect())
    assert list(got.values()) == [1]
    assert 'port_state="Linkdown"' in next(iter(got))


@pytest.mark.parametrize(("raw", "attribute", "label"), [
    ("0x0", "fabric_name", "0"),
    ("0x", "port_id", "0x"),
    ("Online", "port_state", "Online"),
    (None, "speed", ""),
])
def test_host_attribute(raw, attribute, label):
    assert host_attribute(raw, attribute) == label
