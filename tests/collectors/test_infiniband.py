import os

import pytest

from pyexporter.collectors.infiniband import parse_counter, parse_port_state, parse_rate
from pyexporter.errors import ConfigError, NoDataError, ParseError
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


def test_infiniband_absent(tmp_path):
    with pytest.raises(NoDataError):
        list(make_collector("infiniband", tmp_path).collect())


def test_infiniband_empty(tmp_path):
    os.makedirs(tmp_path / "sys/class/infiniband")
    assert samples(make_collector("infiniband", tmp_path).collect()) == {}


@pytest.mark.parametrize(("text", "rate"), [
    ("100 Gb/sec (4X EDR)\n", 12500000000),
    ("10 Gb/sec (4X)", 1250000000),
    ("2.5 Gb/sec (1X SDR)", 312500000),
    # procfs parses at float32 precision before scaling.
    ("13.64 Gb/sec", 1705000042),
    ("0 Gb/sec", 0),
])
def test_parse_rate(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "100", "fast Gb/sec", "-1 Gb/sec", "nan Gb/sec", "1e39 Gb/sec",
                                  "\x00\x01 x", "1_0 Gb/sec"])
def test_parse_rate_rejects(text):
    with pytest.raises(ParseError):
        parse_rate(text)


@pytest.mark.parametrize(("text", "state"), [("4: ACTIVE", 4), ("5: LinkUp\n", 5), (" 0 : NOP", 0)])
def test_parse_port_state(text, state):
    assert parse_port_state(text) == state


@pytest.mark.parametrize("text", ["", "ACTIVE", "a: b", "1: 2: 3", "-1: DOWN", "99999999999: X"])
def test_parse_port_state_rejects(text):
    with pytest.raises(ParseError):
        parse_port_state(text)


@pytest.mark.parametrize(("text", "value"), [
    ("42\n", 42), ("0x1f", 31), ("N/A (no PMA)", None), ("", None), ("-1", None),
    ("18446744073709551615", 2**64 - 1), ("18446744073709551616", None),
])
def test_parse_counter(text, value):
    assert parse_counter(text) == value
