"""ethtool: NIC statistics and link modes of every network device, through the SIOCETHTOOL ioctl.

For each device of /sys/class/net (filtered by --collector.ethtool.device-*):
the supported and advertised link modes of ETHTOOL_GSET (speeds, port types,
autonegotiation, pause), then the driver's statistics (ETHTOOL_GSTRINGS and
ETHTOOL_GSTATS) as node_ethtool_<name>, names sanitized and rx/tx spelled out
as node_exporter does; two statistics that sanitize to one name are both
dropped; node_ethtool_info from ETHTOOL_GDRVINFO (driver, version, firmware,
bus, expansion ROM). Link modes and statistics go through pyroute2's ethtool
module; pyroute2 has no ETHTOOL_GDRVINFO, so that one request is made here
with fcntl.ioctl on the same kind of socket. A device whose driver refuses a
request (EOPNOTSUPP) has no metrics of it.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import logging
import os
import re
import socket
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from pyexporter import fs
from pyexporter.errors import NoDataError, ParseError
from pyexporter.filters import DeviceFilter
from pyexporter.flags import RegexFlag
from pyexporter.metrics import NAMESPACE, Desc, MetricFamily, gauge, sanitize_metric_name, untyped
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import decode, valid_utf8

log = logging.getLogger(__name__)

_RECEIVED = re.compile(r"(^|_)rx(_|$)")
_TRANSMITTED = re.compile(r"(^|_)tx(_|$)")

# ethtool_link_mode_bit_indices of linux/ethtool.h. The legacy ETHTOOL_GSET masks are 32 bits
# wide, so only modes below bit 32 can ever be reported.
AUTONEG_BIT, PAUSE_BIT, ASYM_PAUSE_BIT = 6, 13, 14
PORT_BITS = {"TP": 7, "AUI": 8, "MII": 9, "FIBRE": 10, "BNC": 11, "Backplane": 16}
#: bit -> (speed in Mb/s, duplex, PHY) for the link modes node_exporter reports.
SPEED_BITS: dict[int, tuple[int, str, str]] = {
    0: (10, "half", "T"), 1: (10, "full", "T"), 2: (100, "half", "T"), 3: (100, "full", "T"),
    4: (1000, "half", "T"), 5: (1000, "full", "T"), 12: (10000, "full", "T"),
    17: (1000, "full", "KX"), 18: (10000, "full", "KX4"), 19: (10000, "full", "KR"),
    20: (10000, "full", "R_FEC"), 21: (20000, "full", "MLD2"), 22: (20000, "full", "KR2"),
    23: (40000, "full", "KR4"), 24: (40000, "full", "CR4"), 25: (40000, "full", "SR4"),
    26: (40000, "full", "LR4"), 27: (56000, "full", "KR4"), 28: (56000, "full", "CR4"),
    29: (56000, "full", "SR4"), 30: (56000, "full", "LR4"), 31: (25000, "full", "CR"),
}
#: Link speeds in bytes per second, like the netclass collector's speeds.
BYTES_PER_MBIT = 1_000_000 / 8

#: Statistics with a fixed metric name and HELP (everything else is "Network interface <name>").
KNOWN_STATS: dict[str, tuple[str, str]] = {
    "rx_bytes": ("received_bytes_total", "Network interface bytes received"),
    "rx_dropped": ("received_dropped_total", "Number of received frames dropped"),
    "rx_errors": ("received_errors_total", "Number of received frames with errors"),
    "rx_packets": ("received_packets_total", "Network interface packets received"),
    "tx_bytes": ("transmitted_bytes_total", "Network interface bytes sent"),
    "tx_errors": ("transmitted_errors_total", "Number of sent frames with errors"),
    "tx_packets": ("transmitted_packets_total", "Network interface packets sent"),
}


@dataclass(frozen=True, slots=True)
class DriverInfo:
    driver: str
    version: str
    firmware_version: str
    bus_info: str
    expansion_rom_version: str


@dataclass(frozen=True, slots=True)
class LinkInfo:
    supported: int
    advertising: int
    autoneg: int


class EthtoolBackend(Protocol):
    """The three ethtool requests; each raises OSError (EOPNOTSUPP when the driver lacks it)."""

    def driver_info(self, device: str) -> DriverInfo: ...
    def stats(self, device: str) -> dict[str, int]: ...
    def link_info(self, device: str) -> LinkInfo: ...
    def close(self) -> None: ...


SIOCETHTOOL = 0x8946
ETHTOOL_GDRVINFO = 0x00000003
#: struct ethtool_drvinfo: cmd, five 32-byte strings (driver, version, fw_version,
#: bus_info, erom_version), 12 reserved bytes, five u32 counts.
DRVINFO_SIZE = 4 + 5 * 32 + 12 + 5 * 4
#: struct ifreq on 64-bit Linux: a 16-byte name and a 24-byte union holding ifr_data.
_IFREQ_SIZE = 40


def _c_string(field: bytes) -> str:
    return valid_utf8(decode(field.split(b"\0", 1)[0]))


def parse_drvinfo(raw: bytes) -> DriverInfo:
    """The strings of a struct ethtool_drvinfo the kernel filled in (`ethtool -i`)."""
    if len(raw) < 4 + 5 * 32:
        raise ParseError(f"ethtool_drvinfo: {len(raw)} bytes, want {DRVINFO_SIZE}")
    driver, version, firmware, bus, erom = (_c_string(raw[4 + 32 * i:36 + 32 * i]) for i in range(5))
    return DriverInfo(driver=driver, version=version, firmware_version=firmware, bus_info=bus,
                      expansion_rom_version=erom)


def ethtool_metric_name(stat: str) -> str:
    """node_ethtool_<name>: lower case, no leading '_', rx/tx spelled received/transmitted."""
    name = sanitize_metric_name(stat).lower().lstrip("_")
    name = _RECEIVED.sub(r"\1received\2", name)
    name = _TRANSMITTED.sub(r"\1transmitted\2", name)
    return f"{NAMESPACE}_ethtool_{name}" if name else f"{NAMESPACE}_ethtool"


class IoctlBackend:
    """SIOCETHTOOL requests through pyroute2 (one AF_INET socket per scrape).

    IoctlEthtool is a plain socket and ioctl(2), not netlink: each request is
    answered by the driver in the call itself, with no reply to wait for and so
    no timeout to set; a driver that hangs in it holds the collector's thread
    until the scrape engine's timeout writes it off.
    """

    def __init__(self) -> None:
        try:
            from pyroute2.ethtool.ioctl import EthtoolError, IoctlEthtool
        except ImportError:
            raise NoDataError("pyroute2 is not installed; ethtool statistics need its ioctl module") from None
        self._error = EthtoolError
        self._ioctl: Any = IoctlEthtool()
        self._socket: socket.socket | None = None

    def _call(self, device: str, method: str) -> Any:
        self._ioctl.change_ifname(device)
        try:
            return getattr(self._ioctl, method)()
        except self._error as exc:
            # pyroute2 wraps EOPNOTSUPP and ENODEV in its own exception types.
            code = errno.ENODEV if type(exc).__name__ == "NoSuchDevice" else errno.EOPNOTSUPP
            raise OSError(code, os.strerror(code)) from None

    def driver_info(self, device: str) -> DriverInfo:
        name = os.fsencode(device)
        if len(name) >= 16:
            raise OSError(errno.ENODEV, f"{device}: not a network device name")
        if self._socket is None:
            self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        # The kernel writes the answer where ifr_data points: a buffer that outlives the call.
        answer = ctypes.create_string_buffer(DRVINFO_SIZE)
        struct.pack_into("=I", answer, 0, ETHTOOL_GDRVINFO)
        request = struct.pack("16sP", name, ctypes.addressof(answer)).ljust(_IFREQ_SIZE, b"\0")
        fcntl.ioctl(self._socket.fileno(), SIOCETHTOOL, request)
        return parse_drvinfo(answer.raw)

    def stats(self, device: str) -> dict[str, int]:
        return dict(self._call(device, "get_statistics"))

    def link_info(self, device: str) -> LinkInfo:
        cmd = self._call(device, "get_cmd")
        return LinkInfo(int(cmd["supported"]), int(cmd["advertising"]), int(cmd["autoneg"]))

    def close(self) -> None:
        self._ioctl.close()
        if self._socket is not None:
            self._socket.close()


def net_class_devices(class_dir: str) -> list[str]:
    """The entries of /sys/class/net that are devices (links or directories), as procfs lists them."""
    devices = []
    for entry in fs.scan_dir(class_dir):
        if entry.is_file(follow_symlinks=False):
            continue  # bonding_masters and other plain files
        devices.append(entry.name)
    return devices


DEVICE_INCLUDE = RegexFlag("collector.ethtool.device-include",
                           "Regexp of ethtool devices to include (mutually exclusive to device-exclude).")
DEVICE_EXCLUDE = RegexFlag("collector.ethtool.device-exclude",
                           "Regexp of ethtool devices to exclude (mutually exclusive to device-include).")
METRICS_INCLUDE = RegexFlag("collector.ethtool.metrics-include", "Regexp of ethtool stats to include.", ".*")
_ANY = re.compile("")


@register
class EthtoolCollector(Collector):
    name = "ethtool"
    default_enabled = False
    flags = (DEVICE_INCLUDE, DEVICE_EXCLUDE, METRICS_INCLUDE)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.device_filter = DeviceFilter(settings[DEVICE_EXCLUDE], settings[DEVICE_INCLUDE])
        self.metrics_pattern = settings[METRICS_INCLUDE] or _ANY
        self.backend_factory: Any = IoctlBackend
        net = f"{NAMESPACE}_network"
        self.info = gauge(
            f"{NAMESPACE}_ethtool_info",
            "A metric with a constant '1' value labeled by bus_info, device, driver, expansion_rom_version, "
            "firmware_version, version.",
            "bus_info", "device", "driver", "expansion_rom_version", "firmware_version", "version")
        self.supported_port = gauge(f"{net}_supported_port_info",
                                    "Type of ports or PHYs supported by network device", "device", "type")
        self.speed = {
            "supported": gauge(f"{net}_supported_speed_bytes",
                               "Combination of speeds and features supported by network device",
                               "device", "duplex", "mode"),
            "advertised": gauge(f"{net}_advertised_speed_bytes",
                                "Combination of speeds and features offered by network device",
                                "device", "duplex", "mode"),
        }
        self.capabilities = {
            "supported": (
                gauge(f"{net}_autonegotiate_supported", "If this port device supports autonegotiate",
                      "device"),
                gauge(f"{net}_pause_supported", "If this port device supports pause frames", "device"),
                gauge(f"{net}_asymmetricpause_supported",
                      "If this port device supports asymmetric pause frames", "device")),
            "advertised": (
                gauge(f"{net}_autonegotiate_advertised", "If this port device offers autonegotiate",
                      "device"),
                gauge(f"{net}_pause_advertised", "If this port device offers pause capability", "device"),
                gauge(f"{net}_asymmetricpause_advertised",
                      "If this port device offers asymmetric pause capability", "device")),
        }
        self.autonegotiate = gauge(f"{net}_autonegotiate", "If this port is using autonegotiate", "device")
        # Statistic (sanitized name) -> descriptor; grows as drivers report new statistics.
        self.stat_descs: dict[str, Desc] = {
            stat: untyped(f"{NAMESPACE}_ethtool_{metric}", help_text, "device")
            for stat, (metric, help_text) in KNOWN_STATS.items()
        }

    def _stat_desc(self, stat: str, metric_name: str) -> Desc:
        desc = self.stat_descs.get(stat)
        if desc is None:
            desc = self.stat_descs[stat] = untyped(metric_name, f"Network interface {stat}", "device")
        return desc

    def _link_families(self, device: str, link: LinkInfo) -> list[MetricFamily]:
        out = []
        for kind, modes in (("supported", link.supported), ("advertised", link.advertising)):
            family = self.speed[kind].family()
            for bit, (speed, duplex, phy) in SPEED_BITS.items():
                if modes & (1 << bit):
                    family.add(speed * BYTES_PER_MBIT, device, duplex, f"{speed}base{phy}")
            out.append(family)
            bits = (AUTONEG_BIT, PAUSE_BIT, ASYM_PAUSE_BIT)
            for desc, bit in zip(self.capabilities[kind], bits, strict=True):
                out.append(desc.one(1 if modes & (1 << bit) else 0, device))
        ports = self.supported_port.family()
        for port, bit in PORT_BITS.items():
            if link.supported & (1 << bit):
                ports.add(1, device, port)
        out.append(ports)
        out.append(self.autonegotiate.one(link.autoneg, device))
        return out

    def _stat_families(self, device: str, stats: dict[str, int]) -> list[MetricFamily]:
        by_metric: dict[str, str | None] = {}
        raw_names: dict[str, str] = {}
        for raw in stats:
            stat = sanitize_metric_name(raw)
            if not self.metrics_pattern.search(stat):
                continue
            metric = ethtool_metric_name(stat)
            # Two statistics with one metric name would be ambiguous: neither is exported.
            by_metric[metric] = None if metric in by_metric else stat
            raw_names[stat] = raw
        return [self._stat_desc(stat, metric).one(stats[raw_names[stat]], device)
                for metric, stat in sorted(by_metric.items()) if stat is not None]

    @staticmethod
    def _log_failure(what: str, device: str, exc: OSError) -> None:
        level = logging.DEBUG if exc.errno == errno.EOPNOTSUPP else logging.ERROR
        log.log(level, "ethtool %s error", what, extra={"device": device, "err": str(exc)})

    def collect(self) -> Iterator[MetricFamily]:
        class_dir = self.roots.sys("class", "net")
        try:
            devices = net_class_devices(class_dir)
        except PermissionError as exc:
            raise NoDataError(f"cannot read {class_dir}: {exc}") from None
        if not fs.is_dir(class_dir):
            raise NoDataError(f"{class_dir} does not exist")
        if not devices:
            raise NoDataError("no network devices found")
        backend = self.backend_factory()
        try:
            # Each device's families are sent before the next device is asked.
            for device in devices:
                if self.device_filter.ignored(device):
                    continue
                try:
                    link = backend.link_info(device)
                except OSError as exc:
                    self._log_failure("link info", device, exc)
                else:
                    yield from self._link_families(device, link)
                try:
                    drv = backend.driver_info(device)
                except OSError as exc:
                    self._log_failure("driver info", device, exc)
                else:
                    yield self.info.one(1, drv.bus_info, device, drv.driver, drv.expansion_rom_version,
                                        drv.firmware_version, drv.version)
                try:
                    stats = backend.stats(device)
                except OSError as exc:
                    self._log_failure("stats", device, exc)
                    continue
                yield from self._stat_families(device, stats)
        finally:
            backend.close()
