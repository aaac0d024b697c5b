"""dmi: the machine's DMI/SMBIOS identity from /sys/class/dmi/id as one info series."""

from __future__ import annotations

import os
from collections.abc import Iterator

from pyexporter.errors import NoDataError
from pyexporter.fs import list_dir, read_sysfs_bytes
from pyexporter.metrics import GAUGE, NAMESPACE, MetricFamily
from pyexporter.registry import Collector, register
from pyexporter.sysfs.attrs import sys_value, valid_utf8

#: sysfs file -> label. chassis_type is read by procfs but not exported.
LABELS = {
    "bios_date": "bios_date",
    "bios_release": "bios_release",
    "bios_vendor": "bios_vendor",
    "bios_version": "bios_version",
    "board_asset_tag": "board_asset_tag",
    "board_name": "board_name",
    "board_serial": "board_serial",
    "board_vendor": "board_vendor",
    "board_version": "board_version",
    "chassis_asset_tag": "chassis_asset_tag",
    "chassis_serial": "chassis_serial",
    "chassis_vendor": "chassis_vendor",
    "chassis_version": "chassis_version",
    "product_family": "product_family",
    "product_name": "product_name",
    "product_serial": "product_serial",
    "product_sku": "product_sku",
    "product_uuid": "product_uuid",
    "product_version": "product_version",
    "sys_vendor": "system_vendor",
}

HELP = ("A metric with a constant '1' value labeled by bios_date, bios_release, bios_vendor, bios_version, "
        "board_asset_tag, board_name, board_serial, board_vendor, board_version, chassis_asset_tag, "
        "chassis_serial, chassis_vendor, chassis_version, product_family, product_name, product_serial, "
        "product_sku, product_uuid, product_version, system_vendor if provided by DMI.")


def dmi_labels(files: dict[str, bytes]) -> dict[str, str]:
    """Labels from the readable files; an empty file still gives its label (an empty value)."""
    return {LABELS[name]: valid_utf8(sys_value(data)) for name, data in files.items() if name in LABELS}


@register
class DMICollector(Collector):
    name = "dmi"

    def collect(self) -> Iterator[MetricFamily]:
        # Serial numbers and product_uuid are root-only; unreadable files are left out.
        id_dir = self.roots.sys("class", "dmi", "id")
        files = {}
        for name in list_dir(id_dir):
            if name in LABELS:
                data = read_sysfs_bytes(os.path.join(id_dir, name))
                if data is not None:
                    files[name] = data
        labels = dmi_labels(files)
        if not labels:
            raise NoDataError(f"no DMI information in {id_dir}")
        name = f"{NAMESPACE}_dmi_info"
        yield MetricFamily(name, HELP, GAUGE).add_sample(name, labels, 1.0)
