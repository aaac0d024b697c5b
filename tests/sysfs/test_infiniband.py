"""InfiniBand port attribute parsers, as tables of cases."""

import pytest

from pyexporter.sysfs.infiniband import parse_counter, parse_port_state, parse_rate
from tests.support import parser_tests

test_parse_rate, test_parse_rate_rejects = parser_tests(
    parse_rate,
    [
        ("100 Gb/sec (4X EDR)\n", 12500000000),
        ("10 Gb/sec (4X)", 1250000000),
        ("2.5 Gb/sec (1X SDR)", 312500000),
        # procfs parses at float32 precision before scaling.
        ("13.64 Gb/sec", 1705000042),
        ("0 Gb/sec", 0),
    ],
    ["", "100", "fast Gb/sec", "-1 Gb/sec", "nan Gb/sec", "1e39 Gb/sec",
     "\x00\x01 x", "1_0 Gb/sec"])


test_parse_port_state, test_parse_port_state_rejects = parser_tests(
    parse_port_state,
    [("4: ACTIVE", 4), ("5: LinkUp\n", 5), (" 0 : NOP", 0)],
    ["", "ACTIVE", "a: b", "1: 2: 3", "-1: DOWN", "99999999999: X"])


@pytest.mark.parametrize(("text", "value"), [
    ("42\n", 42), ("0x1f", 31), ("N/A (no PMA)", None), ("", None), ("-1", None),
    ("18446744073709551615", 2**64 - 1), ("18446744073709551616", None),
])
def test_parse_counter(text, value):
    assert parse_counter(text) == value


@pytest.mark.parametrize(("text", "rate"), [
    # procfs's TestParseSlowRate.
    ("0 GB/sec", 0), ("2.5 Gb/sec (1X SDR)", 312500000), ("500 Gb/sec (4X HDR)", 62500000000),
])
def test_procfs_parse_rate(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize(("device", "port", "state", "phys_state", "rate", "counters"), [
    # procfs's TestInfiniBandClass: the state, rate and packet counters of every port.
    ("hfi1_0", "1", 4, 5, 12500000000, {"port_rcv_packets": 638036947, "port_xmit_packets": 568318856}),
    ("mlx4_0", "1", 4, 5, 5000000000,
     {"port_rcv_packets": 87169372, "port_xmit_packets": 85734114, "port_xmit_wait": 3599}),
    ("mlx4_0", "2", 4, 5, 5000000000,
     {"port_rcv_packets": 89332064, "port_xmit_packets": 88622850, "port_xmit_wait": 3846}),
    ("mlx5_0", "1", 4, 4, 3125000000,
     {"port_rcv_packets": 541889824, "port_xmit_packets": 10907922116, "unicast_rcv_packets": 541889824}),
])
def test_procfs_infiniband_class(procfs_fixtures, device, port, state, phys_state, rate, counters):
    directory = procfs_fixtures / "sys/class/infiniband" / device / "ports" / port
    assert parse_port_state((directory / "state").read_text()) == state
    assert parse_port_state((directory / "phys_state").read_text()) == phys_state
    assert parse_rate((directory / "rate").read_text()) == rate
    for name, value in counters.items():
        assert parse_counter((directory / "counters" / name).read_text()) == value, name
