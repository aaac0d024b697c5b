"""netdev: network device statistics as node_network_{receive,transmit}_*_total.

As node_exporter, the counters come from rtnetlink by default and from
/proc/net/dev (under --path.procfs) with --no-collector.netdev.netlink. Over
netlink the statistics describe the network namespace pyexporter runs in; each
dump has the collector's timeout (pyexporter.rtnetlink).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterator

from pyexporter import rtnetlink
from pyexporter.errors import ConfigError, NoDataError
from pyexporter.filters import DeviceFilter
from pyexporter.flags import BoolFlag, DeprecatedAlias, RegexFlag, SetWhen
from pyexporter.fs import is_dir, list_dir, read_sysfs_attr, read_text
from pyexporter.metrics import COUNTER, NAMESPACE, Desc, Families, MetricFamily, gauge
from pyexporter.procfs.net_dev import NET_DEV_FIELDS, parse_net_dev
from pyexporter.registry import Collector, register

log = logging.getLogger(__name__)

_U64 = (1 << 64) - 1

#: node_exporter's names for the rtnl_link_stats64 fields (netdev_linux.go).
NETLINK_NAMES = {
    "rx_packets": "receive_packets", "tx_packets": "transmit_packets",
    "rx_bytes": "receive_bytes", "tx_bytes": "transmit_bytes",
    "rx_errors": "receive_errors", "tx_errors": "transmit_errors",
    "rx_dropped": "receive_dropped", "tx_dropped": "transmit_dropped",
    "multicast": "multicast", "collisions": "collisions",
    "rx_length_errors": "receive_length_errors", "rx_over_errors": "receive_over_errors",
    "rx_crc_errors": "receive_crc_errors", "rx_frame_errors": "receive_frame_errors",
    "rx_fifo_errors": "receive_fifo_errors", "rx_missed_errors": "receive_missed_errors",
    "tx_aborted_errors": "transmit_aborted_errors", "tx_carrier_errors": "transmit_carrier_errors",
    "tx_fifo_errors": "transmit_fifo_errors", "tx_heartbeat_errors": "transmit_heartbeat_errors",
    "tx_window_errors": "transmit_window_errors",
    "rx_compressed": "receive_compressed", "tx_compressed": "transmit_compressed",
    "rx_nohandler": "receive_nohandler",
}

#: The legacy renaming node_exporter applies without --collector.netdev.enable-detailed-metrics,
#: in its order: (new name, source, extra sources summed into it). It reproduces the
#: columns of /proc/net/dev from the detailed netlink counters (net/core/net-procfs.c).
_LEGACY = (
    ("receive_errs", "receive_errors", ()),
    ("receive_drop", "receive_dropped", ("receive_missed_errors",)),
    ("receive_fifo", "receive_fifo_errors", ()),
    ("receive_frame", "receive_frame_errors",
     ("receive_length_errors", "receive_over_errors", "receive_crc_errors")),
    ("receive_multicast", "multicast", ()),
    ("transmit_errs", "transmit_errors", ()),
    ("transmit_drop", "transmit_dropped", ()),
    ("transmit_fifo", "transmit_fifo_errors", ()),
    ("transmit_colls", "collisions", ()),
    ("transmit_carrier", "transmit_carrier_errors",
     ("transmit_aborted_errors", "transmit_heartbeat_errors", "transmit_window_errors")),
)


def legacy_names(stats: dict[str, int]) -> dict[str, int]:
    """node_exporter's legacy(): detailed statistic names folded into the /proc/net/dev names."""
    out = dict(stats)
    for new, source, extras in _LEGACY:
        if source not in out:
            continue
        value = out.pop(source)
        for extra in extras:
            value += out.pop(extra, 0)
        out[new] = value & _U64
    return out


def address_scope(packed: bytes) -> str:
    """The scope label of node_network_address_info, as Go's net.IP predicates classify it."""
    if len(packed) == 4:
        if packed[0] == 127 or packed[:2] == b"\xa9\xfe" or packed[:3] == b"\xe0\x00\x00":
            return "link-local"
        unspecified = packed == b"\0\0\0\0"
        multicast = packed[0] & 0xF0 == 0xE0
        broadcast = packed == b"\xff\xff\xff\xff"
        return "" if unspecified or multicast or broadcast else "global"
    if packed == bytes(15) + b"\x01":
        return "link-local"
    if packed[0] == 0xFE and packed[1] & 0xC0 == 0x80:
        return "link-local"
    if packed[0] == 0xFF:
        if packed[1] & 0x0F == 0x02:
            return "link-local"
        if packed[1] & 0x0F == 0x01:
            return "interface-local"
        return ""
    return "" if packed == bytes(16) else "global"


def _ipv4_of_mapped(packed: bytes) -> bytes | None:
    if len(packed) == 16 and packed[:12] == bytes(10) + b"\xff\xff":
        return packed[12:]
    return None


def format_address(packed: bytes) -> tuple[str, str]:
    """(address text, scope) as Go prints a net.IP: an IPv4-mapped IPv6 address reads as IPv4."""
    v4 = _ipv4_of_mapped(packed)
    if v4 is not None:
        packed = v4
    text = str(ipaddress.IPv4Address(packed) if len(packed) == 4 else ipaddress.IPv6Address(packed))
    return text, address_scope(packed)


DEVICE_INCLUDE = RegexFlag(
    "collector.netdev.device-include",
    "Regexp of net devices to include (mutually exclusive to device-exclude).",
    alias=DeprecatedAlias("collector.netdev.device-whitelist", SetWhen.NON_EMPTY))
DEVICE_EXCLUDE = RegexFlag(
    "collector.netdev.device-exclude",
    "Regexp of net devices to exclude (mutually exclusive to device-include).",
    alias=DeprecatedAlias("collector.netdev.device-blacklist", SetWhen.NON_EMPTY))
ADDRESS_INFO = BoolFlag("collector.netdev.address-info", "Collect address-info for every device")
DETAILED_METRICS = BoolFlag("collector.netdev.enable-detailed-metrics",
                            "Use (incompatible) metric names that provide more detailed stats on Linux")
NETLINK = BoolFlag("collector.netdev.netlink", "Use netlink to gather stats instead of /proc/net/dev.", True)
LABEL_IFALIAS = BoolFlag("collector.netdev.label-ifalias", "Add ifAlias label")


@register
class NetDevCollector(Collector):
    name = "netdev"
    flags = (DEVICE_INCLUDE, DEVICE_EXCLUDE, ADDRESS_INFO, DETAILED_METRICS, NETLINK, LABEL_IFALIAS)

    def __init__(self, settings) -> None:
        super().__init__(settings)
        exclude, include = settings[DEVICE_EXCLUDE], settings[DEVICE_INCLUDE]
        if not DEVICE_EXCLUDE.is_empty(exclude) and not DEVICE_INCLUDE.is_empty(include):
            raise ConfigError("device-exclude & device-include are mutually exclusive")
        self.filter = DeviceFilter(exclude, include)
        self.use_netlink = settings[NETLINK]
        self.detailed = settings[DETAILED_METRICS]
        self.address_info = settings[ADDRESS_INFO]
        self.label_ifalias = settings[LABEL_IFALIAS]
        # Every statistic name either source can produce, before and after the legacy renaming.
        keys = set(NET_DEV_FIELDS) | set(NETLINK_NAMES.values())
        keys |= {new for new, _, _ in _LEGACY}
        self.descs: dict[tuple[str, bool], Desc] = {}
        for key in sorted(keys):
            for with_alias in (False, True):
                labels = ("device", "ifalias") if with_alias else ("device",)
                self.descs[key, with_alias] = Desc(
                    f"{NAMESPACE}_network_{key}_total", f"Network device statistic {key}.", COUNTER, labels)
        self.address_desc = gauge(f"{NAMESPACE}_network_address_info", "node network address by device",
                                  "device", "address", "netmask", "scope")

    def _netlink_stats(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for link in rtnetlink.links(self.settings.collector_timeout):
            if self.filter.ignored(link.name):
                log.debug("Ignoring device", extra={"device": link.name})
                continue
            if link.stats is None:
                continue
            out[link.name] = {NETLINK_NAMES[k]: v for k, v in link.stats.items()}
        return out

    def _proc_stats(self) -> dict[str, dict[str, int]]:
        devices = parse_net_dev(read_text(self.roots.proc("net", "dev")))
        out = {}
        for name, stats in devices.items():
            if self.filter.ignored(name):
                log.debug("Ignoring device", extra={"device": name})
                continue
            out[name] = stats
        return out

    def _ifaliases(self) -> dict[str, str]:
        """ifalias of every device in /sys/class/net, as node_exporter reads it for the ifalias label."""
        base = self.roots.sys("class", "net")
        if not is_dir(base):
            raise NoDataError(f"{base} is absent: no ifalias labels")
        aliases = {}
        for name in list_dir(base):
            if not is_dir(self.roots.sys("class", "net", name)):
                # bonding_masters and other regular files are not devices.
                continue
            aliases[name] = read_sysfs_attr(self.roots.sys("class", "net", name, "ifalias")) or ""
        return aliases

    def _address_families(self) -> list[MetricFamily]:
        addresses = rtnetlink.addresses(self.settings.collector_timeout)
        names = rtnetlink.interface_names(self.settings.collector_timeout)
        family = self.address_desc.family()
        for addr in addresses:
            device = names.get(addr.index)
            if device is None:
                continue
            text, scope = format_address(addr.address)
            family.add(1, device, text, str(addr.prefix_len), scope)
        return [family]

    def collect(self) -> Iterator[MetricFamily]:
        stats = self._netlink_stats() if self.use_netlink else self._proc_stats()
        aliases = self._ifaliases() if self.label_ifalias else {}
        # Devices with an ifAlias label and those without have families of their own, by name.
        plain, aliased = Families(), Families()
        for device, values in stats.items():
            if not self.detailed:
                values = legacy_names(values)
            alias = aliases.get(device)
            families, label_values = (plain, (device,)) if alias is None else (aliased, (device, alias))
            for key, value in values.items():
                families.of(self.descs[(key, alias is not None)]).add(value, *label_values)
        # As node_exporter: the statistics are sent before the addresses are asked for.
        yield from plain.values()
        yield from aliased.values()
        if self.address_info:
            yield from self._address_families()
