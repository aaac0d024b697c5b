
import pytest

from pyexporter.errors import ConfigError
from tests.support import collect_text, make_collector, samples, symlink, write_tree

MLX = "sys/devices/pci0000:00/0000:00:03.0/infiniband/mlx5_0"


def tree(tmp_path):
    write_tree(tmp_path, {
        f"{MLX}/board_id": "MT_0000000010\n",
        f"{MLX}/fw_ver": "16.35.2000\n",
        f"{MLX}/hca_type": "MT4119\n",
        f"{MLX}/ports/1/state": "4: ACTIVE\n",
        f"{MLX}/ports/1/phys_state": "5: LinkUp\n",
        f"{MLX}/ports/1/rate": "100 Gb/sec (4X EDR)\n",
        f"{MLX}/ports/1/counters/port_rcv_data": "1000\n",
        f"{MLX}/ports/1/counters/port_xmit_packets": "77\n",
        f"{MLX}/ports/1/counters/VL15_dropped": "N/A (no PMA)\n",
        f"{MLX}/ports/1/counters/symbol_error/": None,  # unreadable attribute
        f"{MLX}/ports/1/counters_ext/port_xmit_data_64": "0x10\n",
        f"{MLX}/ports/1/hw_counters/out_of_buffer": "3\n",  # not exported by node_exporter 1.12.1
        # A port whose rate cannot be parsed keeps its other series.
        f"{MLX}/ports/2/state": "1: DOWN\n",
        f"{MLX}/ports/2/phys_state": "3: Disabled\n",
        f"{MLX}/ports/2/rate": "garbage\n",
        f"{MLX}/ports/notaport/state": "4: ACTIVE\n",
        # irdma devices have no PMA counters; their directory is not even looked at.
        "sys/class/infiniband/irdma0/fw_ver": "1.0\n",
        "sys/class/infiniband/irdma0/ports/1/state": "4: ACTIVE\n",
        "sys/class/infiniband/irdma0/ports/1/phys_state": "5: LinkUp\n",
        "sys/class/infiniband/irdma0/ports/1/rate": "2.5 Gb/sec (1X SDR)\n",
        "sys/class/infiniband/irdma0/ports/1/counters/link_downed": "4\n",
    })
    symlink(tmp_path, "sys/class/infiniband/mlx5_0", f"../../../{MLX}")


def test_infiniband(tmp_path):
    tree(tmp_path)
    symlink(tmp_path, "sys/class/infiniband/mlx5_9", "../../devices/gone")  # broken link
    got = samples(make_collector("infiniband", tmp_path).collect())
    assert got == {
        'node_infiniband_info{board_id="",device="irdma0",firmware_version="1.0",hca_type=""}': 1,
        'node_infiniband_info{board_id="MT_0000000010",device="mlx5_0",firmware_version="16.35.2000",'
        'hca_type="MT4119"}': 1,
        'node_infiniband_state_id{device="irdma0",port="1"}': 4,
        'node_infiniband_physical_state_id{device="irdma0",port="1"}': 5,
        'node_infiniband_rate_bytes_per_second{device="irdma0",port="1"}': 312500000,
        'node_infiniband_state_id{device="mlx5_0",port="1"}': 4,
        'node_infiniband_physical_state_id{device="mlx5_0",port="1"}': 5,
        'node_infiniband_rate_bytes_per_second{device="mlx5_0",port="1"}': 12500000000,
        'node_infiniband_port_data_received_bytes_total{device="mlx5_0",port="1"}': 4000,
        'node_infiniband_port_packets_transmitted_total{device="mlx5_0",port="1"}': 77,
        'node_infiniband_legacy_data_transmitted_bytes_total{device="mlx5_0",port="1"}': 64,
        'node_infiniband_state_id{device="mlx5_0",port="2"}': 1,
        'node_infiniband_physical_state_id{device="mlx5_0",port="2"}': 3,
    }


def test_infiniband_help(tmp_path):
    tree(tmp_path)
    text = collect_text(make_collector("infiniband", tmp_path))
    assert ("# HELP node_infiniband_legacy_packets_transmitted_total "
            "Number of data packets received on all links\n") not in text  # no sample, no family
    assert "# HELP node_infiniband_rate_bytes_per_second Maximum signal transfer rate\n" in text


@pytest.mark.parametrize(("flag", "devices"), [
    ("--collector.infiniband.device-include=^mlx", {"mlx5_0"}),
    ("--collector.infiniband.device-exclude=^mlx", {"irdma0"}),
])
def test_infiniband_device_filter(tmp_path, flag, devices):
    tree(tmp_path)
    got = samples(make_collector("infiniband", tmp_path, flag).collect())
    assert {k.split('device="')[1].split('"')[0] for k in got} == devices


def test_infiniband_filters_are_exclusive(tmp_path):
    with pytest.raises(ConfigError):
        make_collector("infiniband", tmp_path, "--collector.infiniband.device-include=a",
                       "--collector.infiniband.device-exclude=b")
