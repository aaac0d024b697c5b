"""/sys/class/net/<iface>: a network device's attributes, as procfs's NetClassIface reads them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pyexporter.sysfs.attrs import int_or_none

#: Attributes holding text, kept as read (procfs NetClassIface string fields).
TEXT_ATTRS = ("address", "broadcast", "duplex", "ifalias", "operstate")
#: Attributes holding numbers, apart from speed.
NUMERIC_ATTRS = (
    "addr_assign_type", "carrier", "carrier_changes", "carrier_up_count", "carrier_down_count", "dev_id",
    "dormant", "flags", "ifindex", "iflink", "link_mode", "mtu", "netdev_group", "name_assign_type",
    "tx_queue_len", "type",
)


@dataclass(frozen=True, slots=True)
class NetIface:
    """What node_exporter uses of one /sys/class/net/<iface> directory."""

    name: str
    text: Mapping[str, str]
    numbers: Mapping[str, int]
    speed: int | None


def parse_iface(name: str, values: Mapping[str, str]) -> NetIface:
    """Attribute texts (already trimmed) to typed values, as procfs's ValueParser reads them.

    Numbers are parsed with Go's base-0 rules (flags is "0x1003"); a value
    that is not a number is left out, like a nil pointer in procfs.
    """
    text = {attr: values.get(attr, "") for attr in TEXT_ATTRS}
    numbers: dict[str, int] = {}
    for attr in NUMERIC_ATTRS:
        number = int_or_none(values.get(attr), 0)
        if number is not None:
            numbers[attr] = number
    return NetIface(name, text, numbers, int_or_none(values.get("speed"), 0))
