import errno
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from pyexporter.collectors.ethtool import (
    DRVINFO_SIZE,
    ETHTOOL_GDRVINFO,
    DriverInfo,
    LinkInfo,
    ethtool_metric_name,
    parse_drvinfo,
)
from pyexporter.errors import NoDataError, ParseError
from tests.support import (
    NODE_EXPORTER,
    REPO,
    collect_text,
    conformance_fixtures,
    make_collector,
    samples,
    scrape_once,
    symlink,
    write_tree,
)

MODE_BITS = {"10baseT/Half": 0, "10baseT/Full": 1, "100baseT/Half": 2, "100baseT/Full": 3,
             "1000baseT/Half": 4, "1000baseT/Full": 5, "10000baseT/Full": 12}


class FixtureBackend:
    """ethtool answers read from text files in the layout of node_exporter's ethtool test fixtures:
    <dir>/<device>/driver (`ethtool -i`), statistics (`ethtool -S`) and settings (`ethtool`).
    A missing file stands for a driver without the request (EOPNOTSUPP)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.closed = False

    def _lines(self, device: str, name: str) -> list[str]:
        path = self.directory / device / name
        if not path.exists():
            raise OSError(errno.EOPNOTSUPP, "not supported")
        return [line for line in path.read_text().splitlines() if not line.startswith("#")]

    def driver_info(self, device: str) -> DriverInfo:
        fields = {}
        for line in self._lines(device, "driver"):
            key, _, value = line.strip(" ").partition(": ")
            fields[key] = value
        return DriverInfo(fields.get("driver", ""), fields.get("version", ""),
                          fields.get("firmware-version", ""), fields.get("bus-info", ""),
                          fields.get("expansion-rom-version", ""))

    def stats(self, device: str) -> dict[str, int]:
        out = {}
        for line in self._lines(device, "statistics"):
            if line.startswith("NIC statistics:"):
                continue
            name, value = line.strip(" ").split(": ")
            if name == "ERROR":
                raise OSError(int(value), os.strerror(int(value)))
            out[name] = int(value)
        return out

    def link_info(self, device: str) -> LinkInfo:
        supported = advertising = autoneg = 0
        reading = None
        for line in self._lines(device, "settings"):
            line = line.strip(" \t")
            if reading and ":" in line:
                reading = None
            if reading:
                bits = sum(1 << MODE_BITS[m] for m in line.split() if m in MODE_BITS)
                supported, advertising = (supported | bits, advertising) if reading == "s" else \
                    (supported, advertising | bits)
                continue
            key, _, value = line.partition(": ")
            value = value.strip()
            if key == "Supported ports":
                supported |= sum(1 << bit for port, bit in (("TP", 7), ("MII", 9)) if port in value.split())
            elif key in ("Supported link modes", "Advertised link modes"):
                reading = key[0].lower()
                bits = sum(1 << MODE_BITS[m] for m in value.split() if m in MODE_BITS)
                supported, advertising = (supported | bits, advertising) if reading == "s" else \
                    (supported, advertising | bits)
            elif key in ("Supported pause frame use", "Advertised pause frame use"):
                bit = {"Symmetric": 13, "Receive-only": 14}.get(value)
                if bit is not None and key.startswith("S"):
                    supported |= 1 << bit
                elif bit is not None:
                    advertising |= 1 << bit
            elif key == "Supports auto-negotiation" and value == "Yes":
                supported |= 1 << 6
            elif key == "Advertised auto-negotiation" and value == "Yes":
                advertising |= 1 << 6
            elif key == "Auto-negotiation" and value == "on":
                autoneg = 1
        return LinkInfo(supported, advertising, autoneg)

    def close(self) -> None:
        self.closed = True


def with_backend(collector, directory):
    backends = []

    def factory():
        backends.append(FixtureBackend(directory))
        return backends[-1]

    collector.backend_factory = factory
    return backends


SETTINGS = """Settings for eth0:
\tSupported ports: [ TP\t MII ]
\tSupported link modes:   10baseT/Half 10baseT/Full
\t                        1000baseT/Full
\tSupported pause frame use: Symmetric
\tSupports auto-negotiation: Yes
\tAdvertised link modes:  1000baseT/Full
\tAdvertised pause frame use: No
\tAdvertised auto-negotiation: Yes
\tAuto-negotiation: on
"""


def tree(tmp_path):
    write_tree(tmp_path, {
        "sys/devices/pci0000:00/0000:00:1f.6/net/eth0/mtu": "1500\n",
        "sys/class/net/bonding_masters": "bond0\n",
        "sys/class/net/bond0/mtu": "1500\n",
        "ethtool/eth0/driver": "driver: e1000e\nversion: 6.1\nfirmware-version: 0.5-4\n"
                               "expansion-rom-version: \nbus-info: 0000:00:1f.6\n",
        "ethtool/eth0/statistics": "NIC statistics:\n     rx_packets: 12\n     tx_bytes: 7\n"
                                   "     port.rx_dropped: 5\n     Queue[0] AllocFails: 1\n"
                                   "     dup metric: 1\n     dup_metric: 2\n     Tx LPI entry count: 3\n",
        "ethtool/eth0/settings": SETTINGS,
        "ethtool/bond0/statistics": "ERROR: 1",
    })
    symlink(tmp_path, "sys/class/net/eth0", "../../devices/pci0000:00/0000:00:1f.6/net/eth0")


def test_ethtool_statistics_and_links(tmp_path):
    tree(tmp_path)
    collector = make_collector("ethtool", tmp_path)
    backends = with_backend(collector, tmp_path / "ethtool")
    got = samples(collector.collect())
    assert backends[0].closed
    assert got == {
        'node_ethtool_info{bus_info="0000:00:1f.6",device="eth0",driver="e1000e",expansion_rom_version="",'
        'firmware_version="0.5-4",version="6.1"}': 1,
        'node_ethtool_received_packets_total{device="eth0"}': 12,
        'node_ethtool_transmitted_bytes_total{device="eth0"}': 7,
        'node_ethtool_port_received_dropped{device="eth0"}': 5,
        'node_ethtool_queue_0_allocfails{device="eth0"}': 1,
        'node_ethtool_transmitted_lpi_entry_count{device="eth0"}': 3,
        'node_network_supported_speed_bytes{device="eth0",duplex="half",mode="10baseT"}': 1.25e6,
        'node_network_supported_speed_bytes{device="eth0",duplex="full",mode="10baseT"}': 1.25e6,
        'node_network_supported_speed_bytes{device="eth0",duplex="full",mode="1000baseT"}': 1.25e8,
        'node_network_advertised_speed_bytes{device="eth0",duplex="full",mode="1000baseT"}': 1.25e8,
        'node_network_supported_port_info{device="eth0",type="MII"}': 1,
        'node_network_supported_port_info{device="eth0",type="TP"}': 1,
        'node_network_autonegotiate_supported{device="eth0"}': 1,
        'node_network_autonegotiate_advertised{device="eth0"}': 1,
        'node_network_pause_supported{device="eth0"}': 1,
        'node_network_pause_advertised{device="eth0"}': 0,
        'node_network_asymmetricpause_supported{device="eth0"}': 0,
        'node_network_asymmetricpause_advertised{device="eth0"}': 0,
        'node_network_autonegotiate{device="eth0"}': 1,
    }
    text = collect_text(collector)
    assert "# HELP node_ethtool_port_received_dropped Network interface port_rx_dropped\n" in text
    assert "# TYPE node_ethtool_port_received_dropped untyped\n" in text
    assert "# HELP node_ethtool_received_packets_total Network interface packets received\n" in text


@pytest.mark.parametrize(("flags", "expected"), [
    (("--collector.ethtool.device-exclude=eth",), set()),
    (("--collector.ethtool.device-include=^bond",), set()),
    (("--collector.ethtool.metrics-include=^port_",), {"node_ethtool_port_received_dropped"}),
    (("--collector.ethtool.metrics-include=^(rx|tx)_",),
     {"node_ethtool_received_packets_total", "node_ethtool_transmitted_bytes_total"}),
])
def test_ethtool_filters(tmp_path, flags, expected):
    tree(tmp_path)
    collector = make_collector("ethtool", tmp_path, *flags)
    with_backend(collector, tmp_path / "ethtool")
    got = {key.split("{")[0] for key in samples(collector.collect()) if key.startswith("node_ethtool_")}
    assert got - {"node_ethtool_info"} == expected


def test_ethtool_only_plain_files(tmp_path):
    write_tree(tmp_path, {"sys/class/net/bonding_masters": "bond0\n"})
    with pytest.raises(NoDataError):
        list(make_collector("ethtool", tmp_path).collect())


def test_ethtool_malformed_driver_answers_skip_the_device(tmp_path):
    tree(tmp_path)
    collector = make_collector("ethtool", tmp_path)
    backends = with_backend(collector, tmp_path / "nowhere")
    assert samples(collector.collect()) == {}
    assert backends[0].closed


@pytest.mark.parametrize(("stat", "name"), [
    ("port.rx_errors", "node_ethtool_port_received_errors"),
    ("rx_errors", "node_ethtool_received_errors"),
    ("Queue[0] AllocFails", "node_ethtool_queue_0_allocfails"),
    ("Tx LPI entry count", "node_ethtool_transmitted_lpi_entry_count"),
    ("port.VF_admin_queue_requests", "node_ethtool_port_vf_admin_queue_requests"),
    ("[3]: tx_bytes", "node_ethtool_3_transmitted_bytes"),
    ("     err", "node_ethtool_err"),
    ("rx_rx", "node_ethtool_received_rx"),
    ("rxq0", "node_ethtool_rxq0"),
    ("", "node_ethtool"),
])
def test_ethtool_metric_name(stat, name):
    assert ethtool_metric_name(stat) == name


def test_ethtool_on_node_exporter_fixtures(tmp_path):
    """node_exporter's own ethtool test: its sys tree and ethtool fixtures give these series for eth0."""
    suite = conformance_fixtures()
    if suite is None:
        pytest.skip("conformance suite not present")
    collector = make_collector("ethtool", suite)
    with_backend(collector, suite / "ethtool")
    got = samples(collector.collect())
    assert {key for key in got if 'device="eth0"' not in key} == set()
    assert got['node_ethtool_info{bus_info="0000:00:1f.6",device="eth0",driver="e1000e",'
               'expansion_rom_version="",firmware_version="0.5-4",version="5.11.0-22-generic"}'] == 1
    ethtool = {k.split("{")[0]: v for k, v in got.items()
               if k.startswith("node_ethtool_") and "info" not in k}
    assert ethtool == {
        "node_ethtool_align_errors": 0, "node_ethtool_port_received_dropped": 12028,
        "node_ethtool_received_broadcast": 5792, "node_ethtool_received_errors_total": 0,
        "node_ethtool_received_missed": 401, "node_ethtool_received_multicast": 23973,
        "node_ethtool_received_packets_total": 1260062, "node_ethtool_received_unicast": 1230297,
        "node_ethtool_transmitted_aborted": 0, "node_ethtool_transmitted_errors_total": 0,
        "node_ethtool_transmitted_multi_collisions": 0, "node_ethtool_transmitted_packets_total": 961500,
        "node_ethtool_transmitted_single_collisions": 0, "node_ethtool_transmitted_underrun": 0,
    }
    speeds = {k for k in got if k.startswith("node_network_supported_speed_bytes")}
    assert len(speeds) == 6 and got['node_network_supported_speed_bytes{device="eth0",duplex="full",'
                                    'mode="10000baseT"}'] == 1.25e9
    assert len([k for k in got if k.startswith("node_network_advertised_speed_bytes")]) == 5
    assert got['node_network_pause_advertised{device="eth0"}'] == 1
    assert got['node_network_asymmetricpause_supported{device="eth0"}'] == 0
    assert got['node_network_autonegotiate{device="eth0"}'] == 1


def test_ethtool_live(tmp_path):
    """The real ioctl path on this machine's devices: it runs, and reports only numbers it got."""
    collector = make_collector("ethtool", Path("/"), "--path.sysfs=/sys")
    try:
        families = list(collector.collect())
    except NoDataError:
        pytest.skip("no network devices visible")
    assert all(name.startswith(("node_ethtool_", "node_network_")) for name in samples(families))


def drvinfo(*fields: bytes) -> bytes:
    """A struct ethtool_drvinfo as the kernel fills it: cmd, five 32-byte strings, the rest zero."""
    strings = b"".join(f.ljust(32, b"\0")[:32] for f in (*fields, *[b""] * (5 - len(fields))))
    return (struct.pack("=I", ETHTOOL_GDRVINFO) + strings).ljust(DRVINFO_SIZE, b"\0")


@pytest.mark.parametrize(("raw", "expected"), [
    (drvinfo(b"virtio_net", b"1.0.0", b"", b"0000:00:03.0"),
     DriverInfo("virtio_net", "1.0.0", "", "0000:00:03.0", "")),
    (drvinfo(b"bridge", b"2.3", b"N/A", b"N/A", b"rom1"), DriverInfo("bridge", "2.3", "N/A", "N/A", "rom1")),
    (drvinfo(), DriverInfo("", "", "", "", "")),
    # A string filling its 32 bytes has no NUL: it ends with the field.
    (drvinfo(b"d" * 32, b"v"), DriverInfo("d" * 32, "v", "", "", "")),
    # Bytes after the first NUL are not part of the string.
    (drvinfo(b"igb\0junk"), DriverInfo("igb", "", "", "", "")),
    # Label values must be valid UTF-8: invalid bytes become U+FFFD, as Go's ToValidUTF8.
    (drvinfo(b"dr\xffv"), DriverInfo("dr\ufffdv", "", "", "", "")),
    # The strings end before the reserved bytes and counts; a buffer cut there still has them all.
    (drvinfo(b"e1000e")[:164], DriverInfo("e1000e", "", "", "", "")),
])
def test_parse_drvinfo(raw, expected):
    assert parse_drvinfo(raw) == expected


@pytest.mark.parametrize("raw", [b"", b"\x03\0\0\0", drvinfo(b"x")[:100]])
def test_parse_drvinfo_truncated(raw):
    with pytest.raises(ParseError):
        parse_drvinfo(raw)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"),
                    reason="needs root, unshare and ip for a private network namespace")
def test_driver_info_ioctl_on_a_veth_pair():
    # A veth pair in a network namespace of its own: the veth driver answers ETHTOOL_GDRVINFO
    # with driver "veth", version "1.0"; loopback refuses it.
    script = ("from pyexporter.collectors.ethtool import IoctlBackend\n"
              "b = IoctlBackend()\n"
              "print(b.driver_info('v0'))\n"
              "try:\n    b.driver_info('lo')\nexcept OSError as e:\n    print('lo', e.errno)\n"
              "b.close()\n")
    shell = f"ip link add v0 type veth peer name v1 && exec {sys.executable} -c \"$0\""
    proc = subprocess.run(["unshare", "--net", "sh", "-c", shell, script],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0 and not proc.stdout:
        # unshare or `ip link add ... type veth` refused here (no privilege, no veth module).
        pytest.skip(f"no veth pair in a network namespace here: {proc.stderr.strip()[-300:]}")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == repr(DriverInfo("veth", "1.0", "", "", ""))
    assert lines[1] == f"lo {errno.EOPNOTSUPP}"


@pytest.mark.skipif(not NODE_EXPORTER.exists(),
                    reason="prometheus-node-exporter (the reference) is not installed")
def test_info_matches_node_exporter_on_this_machine():
    flags = ["--collector.disable-defaults", "--collector.ethtool"]
    ours = scrape_once([sys.executable, "-m", "pyexporter"], flags)
    theirs = scrape_once([str(NODE_EXPORTER)], flags)

    def info(text: str) -> set[str]:
        return {line for line in text.splitlines() if line.startswith("node_ethtool_info{")}

    assert info(ours) == info(theirs)
