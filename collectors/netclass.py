"""netclass: network device properties from /sys/class/net/<iface>.

node_network_up, node_network_info and one "Network device property" gauge or
counter per numeric attribute, as node_exporter 1.12.1's sysfs path produces
them. The node_network_receive_*/transmit_* statistics belong to netdev.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator

from pyexporter.errors import NoDataError, raise_if_parts_failed
from pyexporter.flags import BoolFlag, RegexFlag
from pyexporter.fs import link_loop_error, list_dir, open_attr_dir
from pyexporter.metrics import COUNTER, GAUGE, NAMESPACE, Desc, MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import sys_value, valid_utf8
from pyexporter.sysfs.net_class import TEXT_ATTRS, NetIface, parse_iface

log = logging.getLogger(__name__)

#: (sysfs attribute, metric name suffix, type) in node_exporter's emission order.
#: speed is handled apart: it is converted and may be an invalid -1.
NUMERIC_ATTRS: tuple[tuple[str, str, str], ...] = (
    ("addr_assign_type", "address_assign_type", GAUGE),
    ("carrier", "carrier", GAUGE),
    ("carrier_changes", "carrier_changes_total", COUNTER),
    ("carrier_up_count", "carrier_up_changes_total", COUNTER),
    ("carrier_down_count", "carrier_down_changes_total", COUNTER),
    ("dev_id", "device_id", GAUGE),
    ("dormant", "dormant", GAUGE),
    ("flags", "flags", GAUGE),
    ("ifindex", "iface_id", GAUGE),
    ("iflink", "iface_link", GAUGE),
    ("link_mode", "iface_link_mode", GAUGE),
    ("mtu", "mtu_bytes", GAUGE),
    ("netdev_group", "net_dev_group", GAUGE),
    ("name_assign_type", "name_assign_type", GAUGE),
    ("tx_queue_len", "transmit_queue_length", GAUGE),
    ("type", "protocol_type", GAUGE),
)

#: Every attribute read, in one tuple built once.
_ATTR_NAMES = (*TEXT_ATTRS, "speed", *(a for a, _, _ in NUMERIC_ATTRS))

#: net.FlagUp
IFF_UP = 1


def admin_state(flags: int | None) -> str:
    """node_exporter's getAdminState."""
    if flags is None:
        return "unknown"
    return "up" if flags & IFF_UP == 1 else "down"


def speed_bytes(speed_mbit: int) -> int:
    """int64(speed * 1000 * 1000 / 8) with Go's truncating integer division."""
    product = speed_mbit * 1000 * 1000
    quotient = abs(product) // 8
    return -quotient if product < 0 else quotient


IGNORED_DEVICES = RegexFlag("collector.netclass.ignored-devices",
                            "Regexp of net devices to ignore for netclass collector.", "^$")
IGNORE_INVALID_SPEED = BoolFlag(
    "collector.netclass.ignore-invalid-speed",
    "Ignore devices where the speed is invalid. This will be the default behavior in 2.x.")
NETLINK = BoolFlag("collector.netclass.netlink", "Use netlink to gather stats instead of /proc/net/dev.")
RTNL_WITH_STATS = BoolFlag("collector.netclass_rtnl.with-stats",
                           "Expose the statistics for each network device, replacing netdev collector.")


@register
class NetClassCollector(Collector):
    name = "netclass"
    flags = (IGNORED_DEVICES, IGNORE_INVALID_SPEED, NETLINK, RTNL_WITH_STATS)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.ignored = settings[IGNORED_DEVICES] or re.compile("")
        self.ignore_invalid_speed = settings[IGNORE_INVALID_SPEED]
        sub = f"{NAMESPACE}_network"
        self.up = gauge(f"{sub}_up", "Value is 1 if operstate is 'up', 0 otherwise.", "device")
        self.info = gauge(
            f"{sub}_info", "Non-numeric data from /sys/class/net/<iface>, value is always 1.",
            "device", "address", "broadcast", "duplex", "operstate", "adminstate", "ifalias",
        )
        self.properties = tuple(
            (attr, Desc(f"{sub}_{metric}", f"Network device property: {metric}", kind, ("device",)))
            for attr, metric, kind in NUMERIC_ATTRS
        )
        self.speed = gauge(f"{sub}_speed_bytes", "Network device property: speed_bytes", "device")

    def read_iface(self, name: str) -> NetIface | None:
        attrs = open_attr_dir(self.roots.sys("class", "net", name))
        if attrs is None:
            return None
        values: dict[str, str] = {}
        with attrs:
            for attr in _ATTR_NAMES:
                data = attrs.read_bytes(attr)
                if data is not None:
                    values[attr] = sys_value(data)
        return parse_iface(name, values)

    def collect(self) -> Iterator[MetricFamily]:
        class_dir = self.roots.sys("class", "net")
        if not os.path.isdir(class_dir):
            raise NoDataError(f"{class_dir} does not exist")
        up, info, speed = self.up.family(), self.info.family(), self.speed.family()
        properties = [(attr, desc.family()) for attr, desc in self.properties]
        failures: list[str] = []
        for name in list_dir(class_dir):
            if self.ignored.search(name):
                continue
            iface = self.read_iface(name)
            if iface is None:
                loop = link_loop_error(os.path.join(class_dir, name))
                if loop is not None:
                    # node_exporter fails the collector here; the other interfaces are still served.
                    failures.append(loop)
                    continue
                # Regular files such as bonding_masters, and broken links.
                log.debug("netclass: skipping %s: not a device directory", name)
                continue
            device = valid_utf8(name)
            operstate = iface.text["operstate"]
            up.add(1.0 if operstate == "up" else 0.0, device)
            info.add(
                1.0, device, *(valid_utf8(iface.text[a]) for a in ("address", "broadcast", "duplex")),
                valid_utf8(operstate), admin_state(iface.numbers.get("flags")),
                valid_utf8(iface.text["ifalias"]),
            )
            for attr, family in properties:
                value = iface.numbers.get(attr)
                if value is not None:
                    family.add(value, device)
            # Links that are down report -1 (or refuse the read); node_exporter
            # keeps -1 unless told to ignore invalid speeds.
            if iface.speed is not None and (iface.speed >= 0 or not self.ignore_invalid_speed):
                speed.add(speed_bytes(iface.speed), device)
        yield from (up, info, speed, *(family for _, family in properties))
        raise_if_parts_failed(failures)
