"""wifi: WiFi interfaces, their BSS and stations, from nl80211 (or end-to-end fixtures).

Live, the data comes from the kernel's nl80211 generic netlink family through
pyroute2: the interface dump, the BSS of the current scan results that the
client is associated with (or has joined, for ad-hoc), and the station dump.
A kernel without nl80211 (no WiFi driver loaded) or a refused netlink request
means no data, as in node_exporter. With --collector.wifi.fixtures the same
records are read from <dir>/interfaces.json, <dir>/<device>/bss.json and
<dir>/<device>/stationinfo.json, decoded as Go decodes them into the structs of
the mdlayher/wifi package; a device without one of the two per-device files
simply has no such metrics.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from pyexporter import fs
from pyexporter.errors import NoDataError
from pyexporter.flags import StringFlag
from pyexporter.golang import json as go_json
from pyexporter.metrics import NAMESPACE, MetricFamily, counter, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)

NANOSECOND = 1_000_000_000
#: mdlayher/wifi's BSSStatus values.
BSS_STATUS_AUTHENTICATED, BSS_STATUS_ASSOCIATED, BSS_STATUS_IBSS_JOINED = 0, 1, 2
#: nl80211 reports bitrates in units of 100 kbit/s.
BITRATE_UNIT = 100 * 1000

INTERFACE_FIELDS = {"Index": "int", "Name": "string", "HardwareAddr": "bytes", "PHY": "int", "Device": "int",
                    "Type": "int", "Frequency": "int"}
BSS_FIELDS = {"SSID": "string", "BSSID": "bytes", "Frequency": "int", "BeaconInterval": "int64",
              "LastSeen": "int64", "Status": "int"}
STATION_FIELDS = {"HardwareAddr": "bytes", "Connected": "int64", "Inactive": "int64", "ReceivedBytes": "int",
                  "TransmittedBytes": "int", "ReceivedPackets": "int", "TransmittedPackets": "int",
                  "ReceiveBitrate": "int", "TransmitBitrate": "int", "Signal": "int", "SignalAverage": "int",
                  "TransmitRetries": "int", "TransmitFailed": "int", "BeaconLoss": "int"}


@dataclass(slots=True)
class WifiInterface:
    name: str
    index: int
    frequency_mhz: int


@dataclass(slots=True)
class Bss:
    bssid: str
    ssid: str
    status: int


@dataclass(slots=True)
class Station:
    mac: str
    connected_seconds: float
    inactive_seconds: float
    receive_bitrate: int = 0
    transmit_bitrate: int = 0
    received_bytes: int = 0
    transmitted_bytes: int = 0
    received_packets: int = 0
    transmitted_packets: int = 0
    signal_dbm: int = 0
    transmit_retries: int = 0
    transmit_failed: int = 0
    beacon_loss: int = 0


class WifiSource(Protocol):
    def interfaces(self) -> list[WifiInterface]: ...
    def bss(self, ifi: WifiInterface) -> Bss | None: ...
    def stations(self, ifi: WifiInterface) -> list[Station] | None: ...


def hardware_addr(raw: bytes) -> str:
    """net.HardwareAddr.String(): lower-case hex bytes joined by ':' ("" when empty)."""
    return ":".join(f"{b:02x}" for b in raw)


def duration_seconds(nanoseconds: int) -> float:
    """time.Duration.Seconds(): whole seconds plus the remainder, both truncated toward zero."""
    sec = abs(nanoseconds) // NANOSECOND
    nsec = abs(nanoseconds) % NANOSECOND
    sign = -1 if nanoseconds < 0 else 1
    return sign * sec + sign * nsec / 1e9


def bss_mode(status: int) -> str:
    if status in (BSS_STATUS_AUTHENTICATED, BSS_STATUS_ASSOCIATED):
        return "client"
    if status == BSS_STATUS_IBSS_JOINED:
        return "ad-hoc"
    return "unknown"


class FixtureSource:
    """The JSON files node_exporter's end-to-end test feeds its wifi collector."""

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def _load(self, *parts: str) -> Any:
        return go_json.loads(fs.read_file(os.path.join(self.directory, *parts)))

    def interfaces(self) -> list[WifiInterface]:
        records = go_json.decode_struct_list(self._load("interfaces.json"), INTERFACE_FIELDS, pointers=True)
        return [WifiInterface(r["Name"], r["Index"], r["Frequency"]) for r in records]

    def bss(self, ifi: WifiInterface) -> Bss | None:
        try:
            record = go_json.decode_struct(self._load(ifi.name, "bss.json"), BSS_FIELDS)
        except FileNotFoundError:
            return None
        return Bss(hardware_addr(record["BSSID"]), record["SSID"], record["Status"])

    def stations(self, ifi: WifiInterface) -> list[Station] | None:
        try:
            data = self._load(ifi.name, "stationinfo.json")
        except FileNotFoundError:
            return None
        return [Station(mac=hardware_addr(r["HardwareAddr"]),
                        connected_seconds=duration_seconds(r["Connected"]),
                        inactive_seconds=duration_seconds(r["Inactive"]), receive_bitrate=r["ReceiveBitrate"],
                        transmit_bitrate=r["TransmitBitrate"], received_bytes=r["ReceivedBytes"],
                        transmitted_bytes=r["TransmittedBytes"], received_packets=r["ReceivedPackets"],
                        transmitted_packets=r["TransmittedPackets"], signal_dbm=r["Signal"],
                        transmit_retries=r["TransmitRetries"], transmit_failed=r["TransmitFailed"],
                        beacon_loss=r["BeaconLoss"])
                for r in go_json.decode_struct_list(data, STATION_FIELDS, pointers=True)]


def _rate_bits(rate: Any) -> int:
    """A nested NL80211_STA_INFO_*_BITRATE: the 32-bit rate when present, else the 16-bit one."""
    if rate is None:
        return 0
    value = rate.get_attr("NL80211_RATE_INFO_BITRATE32")
    if value is None:
        value = rate.get_attr("NL80211_RATE_INFO_BITRATE") or 0
    return value * BITRATE_UNIT


def station_from_message(msg: Any) -> Station:
    """One NL80211_CMD_NEW_STATION message as decoded by pyroute2."""
    info = msg.get_attr("NL80211_ATTR_STA_INFO")

    def attr(name: str) -> Any:
        value = info.get_attr(name) if info is not None else None
        return 0 if value is None else value

    rx_bytes = attr("NL80211_STA_INFO_RX_BYTES64") or attr("NL80211_STA_INFO_RX_BYTES")
    tx_bytes = attr("NL80211_STA_INFO_TX_BYTES64") or attr("NL80211_STA_INFO_TX_BYTES")
    return Station(
        mac=msg.get_attr("NL80211_ATTR_MAC") or "",
        connected_seconds=float(attr("NL80211_STA_INFO_CONNECTED_TIME")),
        inactive_seconds=attr("NL80211_STA_INFO_INACTIVE_TIME") / 1000,
        receive_bitrate=_rate_bits(attr("NL80211_STA_INFO_RX_BITRATE") or None),
        transmit_bitrate=_rate_bits(attr("NL80211_STA_INFO_TX_BITRATE") or None),
        received_bytes=rx_bytes, transmitted_bytes=tx_bytes,
        received_packets=attr("NL80211_STA_INFO_RX_PACKETS"),
        transmitted_packets=attr("NL80211_STA_INFO_TX_PACKETS"),
        signal_dbm=attr("NL80211_STA_INFO_SIGNAL"), transmit_retries=attr("NL80211_STA_INFO_TX_RETRIES"),
        transmit_failed=attr("NL80211_STA_INFO_TX_FAILED"), beacon_loss=attr("NL80211_STA_INFO_BEACON_LOSS"))


def bss_from_message(msg: Any) -> Bss | None:
    """The NL80211_ATTR_BSS of a scan result message, when it has a status."""
    bss = msg.get_attr("NL80211_ATTR_BSS")
    if bss is None or bss.get_attr("NL80211_BSS_STATUS") is None:
        return None
    elements = bss.get_attr("NL80211_BSS_INFORMATION_ELEMENTS") or {}
    ssid = elements.get("SSID", b"")
    if isinstance(ssid, bytes):
        ssid = ssid.decode("utf-8", "replace")
    return Bss(bss.get_attr("NL80211_BSS_BSSID") or "", ssid, bss.get_attr("NL80211_BSS_STATUS"))


class Nl80211Source:
    """The running kernel's nl80211 family, through pyroute2's IW."""

    def __init__(self, iw: Any) -> None:
        self.iw = iw

    def interfaces(self) -> list[WifiInterface]:
        return [WifiInterface(msg.get_attr("NL80211_ATTR_IFNAME") or "",
                              msg.get_attr("NL80211_ATTR_IFINDEX") or 0,
                              msg.get_attr("NL80211_ATTR_WIPHY_FREQ") or 0)
                for msg in self.iw.get_interfaces_dump()]

    def bss(self, ifi: WifiInterface) -> Bss | None:
        msg = self.iw.get_associated_bss(ifi.index)
        return None if msg is None else bss_from_message(msg)

    def stations(self, ifi: WifiInterface) -> list[Station] | None:
        stations = [station_from_message(msg) for msg in self.iw.get_stations(ifi.index)]
        return stations or None


class _Deadline:
    """Stops an event loop `timeout` seconds from now.

    pyroute2's synchronous sockets run each call to completion on their event
    loop (run_until_complete): a call still waiting for the kernel when the loop
    stops ends at once with RuntimeError. With the loop given to IW before it is
    made, every nl80211 request of a scrape, the family lookup included, ends by
    the deadline.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, timeout: float) -> None:
        self.expired = False
        self.handle = loop.call_later(timeout, self._expire, loop)

    def _expire(self, loop: asyncio.AbstractEventLoop) -> None:
        self.expired = True
        loop.stop()


@contextmanager
def open_nl80211(timeout: float) -> Iterator[Nl80211Source]:
    """An nl80211 connection for one scrape, every request of it answered within `timeout` seconds.

    NoDataError when this kernel or sandbox has no nl80211; TimeoutError when
    the kernel has not answered in time.
    """
    try:
        from pyroute2.iwutil import IW
        from pyroute2.netlink.exceptions import NetlinkError
    except ImportError:
        raise NoDataError("pyroute2 is not installed; wifi statistics need nl80211") from None
    # The scrape's own loop and socket, in the collector's thread.
    loop = asyncio.new_event_loop()
    deadline = _Deadline(loop, timeout)
    iw = None
    try:
        try:
            iw = IW(use_event_loop=loop)
        except NetlinkError as exc:
            if exc.code in (errno.ENOENT, errno.EPERM, errno.EACCES):
                raise NoDataError(f"wifi metrics are not available for this system: {exc}") from None
            raise
        except PermissionError as exc:
            raise NoDataError(f"wifi collector got permission denied: {exc}") from None
        yield Nl80211Source(iw)
    except RuntimeError:
        if deadline.expired:
            raise TimeoutError(f"nl80211 requests not answered within {timeout:g}s") from None
        raise
    finally:
        deadline.handle.cancel()
        # Tasks of a call the deadline stopped are cancelled before pyroute2 closes the loop.
        pending = asyncio.all_tasks(loop) if not loop.is_closed() else set()
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        if iw is not None:
            iw.close()
        if not loop.is_closed():
            loop.close()


FIXTURES = StringFlag("collector.wifi.fixtures", "test fixtures to use for wifi collector metrics", "")


@register
class WifiCollector(Collector):
    name = "wifi"
    default_enabled = False
    flags = (FIXTURES,)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.fixtures = settings[FIXTURES] or ""
        sub = f"{NAMESPACE}_wifi"
        labels = ("device", "mac_address")
        self.frequency = gauge(f"{sub}_interface_frequency_hertz",
                               "The current frequency a WiFi interface is operating at, in hertz.", "device")
        self.station_info = gauge(
            f"{sub}_station_info",
            "Labeled WiFi interface station information as provided by the operating system.",
            "device", "bssid", "ssid", "mode")
        # Station attribute -> descriptor.
        self.station_descs = (
            ("connected_seconds", counter(
                f"{sub}_station_connected_seconds_total",
                "The total number of seconds a station has been connected to an access point.", *labels)),
            ("inactive_seconds", gauge(
                f"{sub}_station_inactive_seconds",
                "The number of seconds since any wireless activity has occurred on a station.", *labels)),
            ("receive_bitrate", gauge(
                f"{sub}_station_receive_bits_per_second",
                "The current WiFi receive bitrate of a station, in bits per second.", *labels)),
            ("transmit_bitrate", gauge(
                f"{sub}_station_transmit_bits_per_second",
                "The current WiFi transmit bitrate of a station, in bits per second.", *labels)),
            ("received_bytes", counter(
                f"{sub}_station_receive_bytes_total",
                "The total number of bytes received by a WiFi station.", *labels)),
            ("transmitted_bytes", counter(
                f"{sub}_station_transmit_bytes_total",
                "The total number of bytes transmitted by a WiFi station.", *labels)),
            ("received_packets", counter(
                f"{sub}_station_received_packets_total",
                "The total number of packets received by a station.", *labels)),
            ("transmitted_packets", counter(
                f"{sub}_station_transmitted_packets_total",
                "The total number of packets transmitted by a station.", *labels)),
            ("signal_dbm", gauge(
                f"{sub}_station_signal_dbm",
                "The current WiFi signal strength, in decibel-milliwatts (dBm).", *labels)),
            ("transmit_retries", counter(
                f"{sub}_station_transmit_retries_total",
                "The total number of times a station has had to retry while sending a packet.", *labels)),
            ("transmit_failed", counter(
                f"{sub}_station_transmit_failed_total",
                "The total number of times a station has failed to send a packet.", *labels)),
            ("beacon_loss", counter(
                f"{sub}_station_beacon_loss_total",
                "The total number of times a station has detected a beacon loss.", *labels)),
        )

    def collect(self) -> Iterator[MetricFamily]:
        if self.fixtures:
            families, error = self.collect_from(FixtureSource(self.fixtures))
        else:
            families, error = self._collect_live()
        yield from families
        if error is not None:
            raise error

    def _collect_live(self) -> tuple[list[MetricFamily], Exception | None]:
        with open_nl80211(self.settings.collector_timeout) as source:
            families, error = self.collect_from(source)
            if isinstance(error, RuntimeError):
                # The deadline stopped the loop mid-request: open_nl80211 reports it as the timeout.
                raise error
        return families, error

    def collect_from(self, source: WifiSource) -> tuple[list[MetricFamily], Exception | None]:
        """The families, and the error that ended the reading (None when it did not end early).

        node_exporter sends each interface's metrics as it asks for them and stops at the first
        request that fails: what was read before is kept (the reading may run on the netlink
        thread of its own, so the families are handed back complete rather than filled after yielding).
        """
        frequency = self.frequency.family()
        info = self.station_info.family()
        stations = [(attr, desc.family()) for attr, desc in self.station_descs]
        families = [frequency, info, *(family for _, family in stations)]
        try:
            for ifi in source.interfaces():
                # Some virtual devices (P2P) have no name.
                if not ifi.name:
                    continue
                frequency.add(ifi.frequency_mhz * 1e6, ifi.name)
                bss = source.bss(ifi)
                if bss is None:
                    log.debug("BSS information not found for wifi device", extra={"device": ifi.name})
                else:
                    info.add(1, ifi.name, bss.bssid, bss.ssid, bss_mode(bss.status))
                for station in source.stations(ifi) or ():
                    for attr, family in stations:
                        family.add(getattr(station, attr), ifi.name, station.mac)
        except Exception as exc:
            return families, exc
        return families, None
