import asyncio
import errno
import json
import threading
import time

import pytest
from pyroute2 import iwutil
from pyroute2.netlink.exceptions import NetlinkError

from pyexporter.collectors.wifi import bss_mode, duration_seconds, hardware_addr
from pyexporter.errors import NoDataError, ParseError
from tests.support import collect_text, make_collector, samples, write_tree

INTERFACES = [{"name": "wlan0", "type": 2, "frequency": 2412},
              {"Name": "wlan1", "Type": 3, "Frequency": 5180}, {"type": 10}]
STATIONS = [{"hardwareaddr": "qrvM3e7/", "connected": 30_000_000_000, "inactive": 400_000_000,
             "receivebitrate": 128_000_000, "transmitbitrate": 164_000_000, "signal": -52,
             "transmitretries": 10, "transmitfailed": 2, "beaconloss": 1, "ReceivedBytes": 7,
             "TransmittedPackets": 3}]


def fixtures(tmp_path, **overrides):
    files = {"wifi/interfaces.json": json.dumps(INTERFACES),
             "wifi/wlan0/bss.json": json.dumps({"ssid": "Example", "bssid": "ABEiM0RV", "status": 1}),
             "wifi/wlan0/stationinfo.json": json.dumps(STATIONS)}
    files.update({f"wifi/{name}": text for name, text in overrides.items()})
    write_tree(tmp_path, files)
    return f"--collector.wifi.fixtures={tmp_path / 'wifi'}"


def test_wifi_fixtures(tmp_path):
    collector = make_collector("wifi", tmp_path, fixtures(tmp_path))
    got = samples(collector.collect())
    station = 'device="wlan0",mac_address="aa:bb:cc:dd:ee:ff"'
    assert got == {
        'node_wifi_interface_frequency_hertz{device="wlan0"}': 2.412e9,
        'node_wifi_interface_frequency_hertz{device="wlan1"}': 5.18e9,
        'node_wifi_station_info{bssid="00:11:22:33:44:55",device="wlan0",mode="client",ssid="Example"}': 1,
        f"node_wifi_station_connected_seconds_total{{{station}}}": 30,
        f"node_wifi_station_inactive_seconds{{{station}}}": 0.4,
        f"node_wifi_station_receive_bits_per_second{{{station}}}": 128e6,
        f"node_wifi_station_transmit_bits_per_second{{{station}}}": 164e6,
        f"node_wifi_station_receive_bytes_total{{{station}}}": 7,
        f"node_wifi_station_transmit_bytes_total{{{station}}}": 0,
        f"node_wifi_station_received_packets_total{{{station}}}": 0,
        f"node_wifi_station_transmitted_packets_total{{{station}}}": 3,
        f"node_wifi_station_signal_dbm{{{station}}}": -52,
        f"node_wifi_station_transmit_retries_total{{{station}}}": 10,
        f"node_wifi_station_transmit_failed_total{{{station}}}": 2,
        f"node_wifi_station_beacon_loss_total{{{station}}}": 1,
    }
    text = collect_text(collector)
    assert "# TYPE node_wifi_station_connected_seconds_total counter\n" in text
    assert ("# HELP node_wifi_station_signal_dbm The current WiFi signal strength, in "
            "decibel-milliwatts (dBm).\n") in text


def test_wifi_missing_interfaces_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(make_collector("wifi", tmp_path, f"--collector.wifi.fixtures={tmp_path}").collect())


@pytest.mark.parametrize(("name", "text"), [
    ("interfaces.json", "{"), ("interfaces.json", '[{"name": 1}]'), ("interfaces.json", "[null]"),
    ("wlan0/bss.json", '{"bssid": "***"}'), ("wlan0/bss.json", '{"status": "up"}'),
    ("wlan0/stationinfo.json", '[{"connected": 1.5}]'), ("wlan0/stationinfo.json", '{"signal": 1}'),
])
def test_wifi_malformed_fixture(tmp_path, name, text):
    with pytest.raises(ParseError):
        list(make_collector("wifi", tmp_path, fixtures(tmp_path, **{name: text})).collect())


@pytest.mark.parametrize(("status", "mode"), [(0, "client"), (1, "client"), (2, "ad-hoc"), (3, "unknown"),
                                              (-1, "unknown")])
def test_bss_mode(status, mode):
    assert bss_mode(status) == mode


@pytest.mark.parametrize(("ns", "seconds"), [(0, 0.0), (1_500_000_000, 1.5), (-1_500_000_000, -1.5),
                                             (9_223_372_036_854_775_807, 9223372036.854775807)])
def test_duration_seconds(ns, seconds):
    assert duration_seconds(ns) == seconds


def test_hardware_addr():
    assert hardware_addr(b"") == "" and hardware_addr(b"\x00\xaa\x0f") == "00:aa:0f"


def test_wifi_live_without_nl80211(tmp_path, monkeypatch):
    def no_family(*args, **kwargs):
        raise NetlinkError(errno.ENOENT, "No such file or directory")

    monkeypatch.setattr(iwutil, "IW", no_family)
    with pytest.raises(NoDataError):
        list(make_collector("wifi", tmp_path).collect())


class Msg:
    """Stands in for a pyroute2 netlink message: attributes looked up by name."""

    def __init__(self, **attrs):
        self.attrs = attrs

    def get_attr(self, name):
        return self.attrs.get(name)


class FakeIW:
    closed = False
    thread = ""

    def __init__(self, use_event_loop=None):
        FakeIW.thread = threading.current_thread().name
        FakeIW.loop = use_event_loop

    def get_interfaces_dump(self):
        return [Msg(NL80211_ATTR_IFNAME="wlp2s0", NL80211_ATTR_IFINDEX=3, NL80211_ATTR_WIPHY_FREQ=5745),
                Msg(NL80211_ATTR_IFINDEX=4)]

    def get_associated_bss(self, ifindex):
        bss = Msg(NL80211_BSS_BSSID="a0:b1:c2:d3:e4:f5", NL80211_BSS_STATUS=1,
                  NL80211_BSS_INFORMATION_ELEMENTS={"SSID": b"caf\xc3\xa9"})
        return Msg(NL80211_ATTR_BSS=bss)

    def get_stations(self, ifindex):
        info = Msg(NL80211_STA_INFO_CONNECTED_TIME=120, NL80211_STA_INFO_INACTIVE_TIME=250,
                   NL80211_STA_INFO_RX_BYTES=5, NL80211_STA_INFO_RX_BYTES64=5_000_000_000,
                   NL80211_STA_INFO_TX_BYTES=9, NL80211_STA_INFO_SIGNAL=-61,
                   NL80211_STA_INFO_RX_BITRATE=Msg(NL80211_RATE_INFO_BITRATE=540),
                   NL80211_STA_INFO_TX_BITRATE=Msg(NL80211_RATE_INFO_BITRATE=65535,
                                                   NL80211_RATE_INFO_BITRATE32=8667),
                   NL80211_STA_INFO_BEACON_LOSS=2)
        return [Msg(NL80211_ATTR_MAC="a0:b1:c2:d3:e4:f5", NL80211_ATTR_STA_INFO=info)]

    def close(self):
        FakeIW.closed = True


def test_wifi_live_nl80211_messages(tmp_path, monkeypatch):
    monkeypatch.setattr(iwutil, "IW", FakeIW)
    got = samples(make_collector("wifi", tmp_path).collect())
    station = 'device="wlp2s0",mac_address="a0:b1:c2:d3:e4:f5"'
    assert got['node_wifi_interface_frequency_hertz{device="wlp2s0"}'] == 5.745e9
    assert got['node_wifi_station_info{bssid="a0:b1:c2:d3:e4:f5",device="wlp2s0",mode="client",'
               'ssid="café"}'] == 1
    assert got[f"node_wifi_station_connected_seconds_total{{{station}}}"] == 120
    assert got[f"node_wifi_station_inactive_seconds{{{station}}}"] == 0.25
    assert got[f"node_wifi_station_receive_bytes_total{{{station}}}"] == 5_000_000_000
    assert got[f"node_wifi_station_transmit_bytes_total{{{station}}}"] == 9
    assert got[f"node_wifi_station_receive_bits_per_second{{{station}}}"] == 54e6
    assert got[f"node_wifi_station_transmit_bits_per_second{{{station}}}"] == 866.7e6
    assert got[f"node_wifi_station_signal_dbm{{{station}}}"] == -61
    assert got[f"node_wifi_station_transmit_failed_total{{{station}}}"] == 0
    assert FakeIW.closed
    # The requests run in the collector's own thread, on an event loop of the scrape's own, closed after it.
    assert FakeIW.thread == threading.current_thread().name
    assert FakeIW.loop is not None and FakeIW.loop.is_closed()


def _never_answered(loop):
    """What a synchronous pyroute2 call does while the kernel does not answer: run the socket's loop
    until the answer comes."""
    return loop.run_until_complete(loop.create_task(asyncio.sleep(3600)))


class SilentIW(FakeIW):
    def get_interfaces_dump(self):
        return _never_answered(FakeIW.loop)


class SilentFamilyLookupIW(FakeIW):
    def __init__(self, use_event_loop=None):
        super().__init__(use_event_loop)
        _never_answered(use_event_loop)  # IW() asks for the nl80211 family id


@pytest.mark.parametrize("fake", [SilentIW, SilentFamilyLookupIW])
def test_wifi_requests_end_at_the_collector_timeout(tmp_path, monkeypatch, fake):
    monkeypatch.setattr(iwutil, "IW", fake)
    collector = make_collector("wifi", tmp_path, "--collector.timeout=300ms")
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="nl80211"):
        list(collector.collect())
    assert 0.3 <= time.monotonic() - started < 3
    # The stopped request's task is cancelled and the loop closed: nothing is left running.
    assert FakeIW.loop.is_closed()
