import json
import shutil
import socket
import struct
import subprocess

import pytest

from pyexporter.collectors.qdisc import QdiscInfo, parse_qdisc_fixture
from pyexporter.errors import ConfigError, ParseError
from pyexporter.netlink import rtnl
from tests.netlink.peer import attr, dump_of
from tests.support import collect_text, make_collector, samples, write_tree

RESULTS = """[
  {"IfaceName": "wlan0", "Bytes": 42, "Packets": 42, "Requeues": 1, "Kind": "fq", "Drops": 1},
  {"ifacename": "eth0", "bytes": 83, "packets": 83, "requeues": 2, "kind": "pfifo_fast", "qlen": 3,
   "Backlog": 1500, "Overlimits": 7, "Unknown": "ignored"},
  {"IfaceName": "eth0", "Kind": "fq_codel", "Parent": 65537, "Bytes": 5},
  {"IfaceName": "lo", "Kind": "noqueue", "Parent": null}
]"""


def fixture(tmp_path, text=RESULTS):
    write_tree(tmp_path, {"qdisc/results.json": text})
    return f"--collector.qdisc.fixtures={tmp_path / 'qdisc'}"


def test_qdisc_fixture(tmp_path):
    collector = make_collector("qdisc", tmp_path, fixture(tmp_path))
    got = samples(collector.collect())
    assert got['node_qdisc_bytes_total{device="wlan0",kind="fq"}'] == 42
    assert got['node_qdisc_drops_total{device="wlan0",kind="fq"}'] == 1
    assert got['node_qdisc_backlog{device="eth0",kind="pfifo_fast"}'] == 1500
    assert got['node_qdisc_current_queue_length{device="eth0",kind="pfifo_fast"}'] == 3
    assert got['node_qdisc_overlimits_total{device="eth0",kind="pfifo_fast"}'] == 7
    assert got['node_qdisc_requeues_total{device="lo",kind="noqueue"}'] == 0
    # The child qdisc (parent 1:1) is left out.
    assert not any("fq_codel" in key for key in got)
    assert len(got) == 3 * 7
    text = collect_text(collector)
    assert "# TYPE node_qdisc_bytes_total counter\n" in text
    assert "# HELP node_qdisc_backlog Number of bytes currently in queue to be sent.\n" in text
    assert "# TYPE node_qdisc_current_queue_length gauge\n" in text


@pytest.mark.parametrize(("flags", "devices"), [
    (("--collector.qdisc.device-include=^(wlan0|eth0)$",), {"wlan0", "eth0"}),
    (("--collector.qdisc.device-exclude=^wlan",), {"eth0", "lo"}),
    (("--collector.qdisk.device-include=lo",), {"lo"}),
    (("--collector.qdisk.device-exclude=lo",), {"wlan0", "eth0"}),
])
def test_qdisc_device_filters(tmp_path, flags, devices):
    got = samples(make_collector("qdisc", tmp_path, fixture(tmp_path), *flags).collect())
    assert {key.split('device="')[1].split('"')[0] for key in got} == devices


@pytest.mark.parametrize("flags", [
    ("--collector.qdisc.device-include=a", "--collector.qdisc.device-exclude=b"),
    ("--collector.qdisk.device-include=a", "--collector.qdisc.device-include=b"),
    ("--collector.qdisk.device-exclude=a", "--collector.qdisc.device-exclude=b"),
])
def test_qdisc_exclusive_flags(tmp_path, flags):
    with pytest.raises(ConfigError):
        make_collector("qdisc", tmp_path, *flags)


def test_qdisc_missing_fixture(tmp_path):
    with pytest.raises(FileNotFoundError):
        collector = make_collector("qdisc", tmp_path, f"--collector.qdisc.fixtures={tmp_path / 'nowhere'}")
        list(collector.collect())


@pytest.mark.parametrize("text", [
    "", "[", "{}", '[{"IfaceName": 5}]', '[{"Bytes": -1}]', '[{"Packets": 4294967296}]', '[{"Drops": 1.0}]',
    '[{"Bytes": "42"}]', '[{"Qlen": NaN}]', "[1]", '{"IfaceName": "x"}',
])
def test_qdisc_malformed_fixture(tmp_path, text):
    with pytest.raises(ParseError):
        list(make_collector("qdisc", tmp_path, fixture(tmp_path, text)).collect())


def test_qdisc_null_fixture_is_empty(tmp_path):
    assert samples(make_collector("qdisc", tmp_path, fixture(tmp_path, "null")).collect()) == {}


def test_parse_qdisc_fixture_zero_values():
    assert parse_qdisc_fixture(b'[{"IfaceName": "x", "Kind": "fq", "Bytes": 18446744073709551615}]') == [
        QdiscInfo(device="x", kind="fq", bytes=(1 << 64) - 1)]


@pytest.mark.skipif(shutil.which("tc") is None, reason="iproute2's tc is not installed")
def test_qdisc_live_loopback(tmp_path):
    """The live rtnetlink path against tc's own view of the loopback device's root qdisc."""
    shown = json.loads(subprocess.run(["tc", "-s", "-j", "qdisc", "show", "dev", "lo"], check=True,
                                      capture_output=True, text=True).stdout)
    root = next(q for q in shown if q.get("root"))
    got = samples(make_collector("qdisc", tmp_path, "--collector.qdisc.device-include=^lo$").collect())
    labels = f'{{device="lo",kind="{root["kind"]}"}}'
    # lo's root qdisc (noqueue) never queues, so these counters stay put between the two reads.
    assert got[f"node_qdisc_drops_total{labels}"] == root["drops"]
    assert got[f"node_qdisc_current_queue_length{labels}"] == root["qlen"]
    assert got[f"node_qdisc_requeues_total{labels}"] == root["requeues"]
    assert {key.split("{")[1] for key in got} == {labels[1:]}


def test_qdisc_live_dump_decoded_from_rtnetlink(tmp_path, fake_kernel):
    lo = socket.if_nametoindex("lo")
    fake_kernel.handlers[rtnl.RTM_GETQDISC] = dump_of(rtnl.RTM_NEWQDISC, [
        rtnl.TCMSG.pack(0, lo, 0, rtnl.TC_H_ROOT, 1) + attr(rtnl.TCA_KIND, b"noqueue\0")
        + attr(rtnl.TCA_STATS2, attr(rtnl.TCA_STATS_BASIC, struct.pack("=QI", 700, 7) + bytes(4))
               + attr(rtnl.TCA_STATS_QUEUE, struct.pack("=5I", 1, 2, 3, 4, 5))),
        rtnl.TCMSG.pack(0, lo, 0, 0x10001, 1) + attr(rtnl.TCA_KIND, b"fq\0"),  # a child: left out
    ])
    got = samples(make_collector("qdisc", tmp_path).collect())
    assert got['node_qdisc_bytes_total{device="lo",kind="noqueue"}'] == 700
    assert got['node_qdisc_requeues_total{device="lo",kind="noqueue"}'] == 4
    assert got['node_qdisc_backlog{device="lo",kind="noqueue"}'] == 2
    assert len(got) == 7
    assert [request[1] for request in fake_kernel.requests] == [rtnl.RTM_GETQDISC]
