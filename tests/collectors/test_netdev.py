import pytest

from pyexporter import rtnetlink
from pyexporter.collectors.netdev import format_address, legacy_names
from pyexporter.errors import ConfigError, NoDataError, ParseError
from tests.procfs.test_net_dev import HEADER
from tests.support import collect_text, make_collector, samples, write_tree

NET_DEV = HEADER + (
    "    lo:  163310     677    0    0    0     0          0         0   163310     677    0    0    0     0"
    "       0          0\n"
    "  eth0: 197485611    4402    1    2    3     4          5         6   247036    3003    7    8    9"
    "    10      11         12\n"
)
NO_NETLINK = "--no-collector.netdev.netlink"


def test_legacy_names_fold_detailed_counters():
    detailed = {"receive_dropped": 1, "receive_missed_errors": 2, "receive_frame_errors": 3,
                "receive_length_errors": 4, "receive_over_errors": 5, "receive_crc_errors": 6,
                "transmit_carrier_errors": 7, "transmit_aborted_errors": 8, "transmit_heartbeat_errors": 9,
                "transmit_window_errors": 10, "multicast": 11, "collisions": 12, "receive_nohandler": 13,
                "receive_errors": 14, "transmit_fifo_errors": 15}
    assert legacy_names(detailed) == {
        "receive_drop": 3, "receive_frame": 18, "transmit_carrier": 34, "receive_multicast": 11,
        "transmit_colls": 12, "receive_nohandler": 13, "receive_errs": 14, "transmit_fifo": 15}


def test_legacy_names_keep_proc_names():
    proc = {"receive_errors": 1, "receive_dropped": 2, "receive_fifo": 3, "transmit_carrier": 4}
    assert legacy_names(proc) == {"receive_errs": 1, "receive_drop": 2, "receive_fifo": 3,
                                  "transmit_carrier": 4}


def test_proc_net_dev(tmp_path):
    write_tree(tmp_path, {"proc/net/dev": NET_DEV})
    got = samples(make_collector("netdev", tmp_path, NO_NETLINK).collect())
    assert got['node_network_receive_bytes_total{device="eth0"}'] == 197485611
    assert got['node_network_receive_errs_total{device="eth0"}'] == 1
    assert got['node_network_receive_drop_total{device="eth0"}'] == 2
    assert got['node_network_transmit_colls_total{device="eth0"}'] == 10
    assert got['node_network_transmit_carrier_total{device="eth0"}'] == 11
    assert len(got) == 32
    text = collect_text(make_collector("netdev", tmp_path, NO_NETLINK))
    assert ("# HELP node_network_receive_errs_total Network device statistic receive_errs.\n"
            "# TYPE node_network_receive_errs_total counter\n") in text


def test_detailed_metrics_keep_procfs_names(tmp_path):
    write_tree(tmp_path, {"proc/net/dev": NET_DEV})
    got = samples(make_collector("netdev", tmp_path, NO_NETLINK,
                                 "--collector.netdev.enable-detailed-metrics").collect())
    assert got['node_network_receive_errors_total{device="eth0"}'] == 1
    assert got['node_network_transmit_dropped_total{device="eth0"}'] == 8
    assert not any("receive_errs" in key for key in got)


@pytest.mark.parametrize(
    ("flag", "devices"),
    [("--collector.netdev.device-include=^eth", {"eth0"}),
     ("--collector.netdev.device-exclude=^eth", {"lo"}),
     ("--collector.netdev.device-whitelist=^lo", {"lo"})],
)
def test_device_filter(tmp_path, flag, devices):
    write_tree(tmp_path, {"proc/net/dev": NET_DEV})
    got = samples(make_collector("netdev", tmp_path, NO_NETLINK, flag).collect())
    assert {key.split('device="')[1].split('"')[0] for key in got} == devices


def test_include_and_exclude_are_exclusive(tmp_path):
    with pytest.raises(ConfigError, match="mutually exclusive"):
        make_collector("netdev", tmp_path, "--collector.netdev.device-include=a",
                       "--collector.netdev.device-exclude=b")
    with pytest.raises(ConfigError, match="mutually exclusive"):
        make_collector("netdev", tmp_path, "--collector.netdev.device-include=a",
                       "--collector.netdev.device-whitelist=b")


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(make_collector("netdev", tmp_path, NO_NETLINK).collect())


def test_empty_file(tmp_path):
    write_tree(tmp_path, {"proc/net/dev": ""})
    assert samples(make_collector("netdev", tmp_path, NO_NETLINK).collect()) == {}


def test_malformed_line_fails_collection(tmp_path):
    write_tree(tmp_path, {"proc/net/dev": HEADER + "eth0: 1 2\n"})
    with pytest.raises(ParseError):
        list(make_collector("netdev", tmp_path, NO_NETLINK).collect())


def test_ifalias_label(tmp_path):
    write_tree(tmp_path, {"proc/net/dev": NET_DEV, "sys/class/net/eth0/ifalias": "uplink\n",
                          "sys/class/net/lo/ifalias": "", "sys/class/net/bonding_masters": "bond0\n"})
    collector = make_collector("netdev", tmp_path, NO_NETLINK, "--collector.netdev.label-ifalias")
    got = samples(collector.collect())
    assert got['node_network_receive_errs_total{device="eth0",ifalias="uplink"}'] == 1
    assert 'node_network_receive_errs_total{device="lo",ifalias=""}' in got


def test_ifalias_without_sysfs_is_no_data(tmp_path):
    write_tree(tmp_path, {"proc/net/dev": NET_DEV})
    with pytest.raises(NoDataError):
        list(make_collector("netdev", tmp_path, NO_NETLINK, "--collector.netdev.label-ifalias").collect())


def _link(index, name, **stats):
    values = dict.fromkeys(rtnetlink.LINK_STATS_FIELDS, 0)
    values.update(stats)
    return rtnetlink.Link(index, name, values)


def test_netlink_statistics(tmp_path, monkeypatch):
    links = [_link(1, "lo", rx_bytes=10, rx_dropped=1, rx_missed_errors=2, rx_nohandler=3),
             _link(2, "eth0", tx_carrier_errors=1, tx_window_errors=1),
             rtnetlink.Link(3, "dummy0", None)]
    asked = []
    monkeypatch.setattr(rtnetlink, "links", lambda timeout: asked.append(timeout) or links)
    got = samples(make_collector("netdev", tmp_path, "--collector.timeout=3s").collect())
    assert asked == [3.0]  # the dump has the collector's timeout
    assert got['node_network_receive_bytes_total{device="lo"}'] == 10
    assert got['node_network_receive_drop_total{device="lo"}'] == 3
    assert got['node_network_receive_nohandler_total{device="lo"}'] == 3
    assert got['node_network_transmit_carrier_total{device="eth0"}'] == 2
    assert not any("dummy0" in key for key in got)
    # 17 legacy statistics per device with statistics.
    assert len(got) == 34


def test_netlink_failure_is_an_error(tmp_path, monkeypatch):
    def refuse(timeout):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(rtnetlink, "links", refuse)
    with pytest.raises(PermissionError):
        list(make_collector("netdev", tmp_path).collect())


def test_address_info(tmp_path, monkeypatch):
    write_tree(tmp_path, {"proc/net/dev": NET_DEV})
    monkeypatch.setattr(rtnetlink, "interface_names", lambda timeout: {1: "lo", 2: "eth0"})
    monkeypatch.setattr(rtnetlink, "addresses", lambda timeout: [
        rtnetlink.Address(1, 2, 8, bytes([127, 0, 0, 1])),
        rtnetlink.Address(2, 10, 64, bytes.fromhex("fe800000000000000000000000000001")),
        rtnetlink.Address(2, 2, 24, bytes([192, 168, 1, 2])),
        rtnetlink.Address(9, 2, 24, bytes([10, 0, 0, 1])),  # no such link
    ])
    got = samples(make_collector("netdev", tmp_path, NO_NETLINK, "--collector.netdev.address-info").collect())
    info = {k: v for k, v in got.items() if k.startswith("node_network_address_info")}
    assert info == {
        'node_network_address_info{address="127.0.0.1",device="lo",netmask="8",scope="link-local"}': 1,
        'node_network_address_info{address="fe80::1",device="eth0",netmask="64",scope="link-local"}': 1,
        'node_network_address_info{address="192.168.1.2",device="eth0",netmask="24",scope="global"}': 1,
    }


@pytest.mark.parametrize(
    ("hex_address", "text", "scope"),
    [
        ("0a000001", "10.0.0.1", "global"),
        ("a9fe0101", "169.254.1.1", "link-local"),
        ("e00000fb", "224.0.0.251", "link-local"),
        ("e1000001", "225.0.0.1", ""),
        ("00000000", "0.0.0.0", ""),
        ("ffffffff", "255.255.255.255", ""),
        ("00000000000000000000000000000001", "::1", "link-local"),
        ("ff010000000000000000000000000001", "ff01::1", "interface-local"),
        ("ff020000000000000000000000000001", "ff02::1", "link-local"),
        ("ff050000000000000000000000000001", "ff05::1", ""),
        ("20010db8000000000000000000000001", "2001:db8::1", "global"),
        ("00000000000000000000ffff0a000001", "10.0.0.1", "global"),
        ("00000000000000000000000000000000", "::", ""),
    ],
)
def test_format_address(hex_address, text, scope):
    assert format_address(bytes.fromhex(hex_address)) == (text, scope)
