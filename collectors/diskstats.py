"""diskstats: /proc/diskstats as node_disk_*, with udev properties and sysfs queue data as info series."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from pyexporter.errors import ConfigError, ParseError
from pyexporter.filters import DeviceFilter
from pyexporter.flags import BoolFlag, DeprecatedAlias, RegexFlag, SetWhen
from pyexporter.fs import list_dir, read_optional_text, read_text
from pyexporter.golang.strconv import parse_float
from pyexporter.metrics import NAMESPACE, MetricFamily, counter, gauge
from pyexporter.procfs.diskstats import parse_diskstats, parse_udev_properties
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import read_value

log = logging.getLogger(__name__)

DEFAULT_EXCLUDE = r"^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$"

#: Read and written sectors are "standard UNIX 512-byte sectors", whatever the device's block size.
UNIX_SECTOR_SIZE = 512.0
#: The kernel counts times in milliseconds.
SECONDS_PER_TICK = 1.0 / 1000.0

_D = f"{NAMESPACE}_disk"

#: (name, HELP, TYPE, scale) of each /proc/diskstats counter, in column order.
_STATS = (
    ("reads_completed_total", "The total number of reads completed successfully.", "counter", 1.0),
    ("reads_merged_total", "The total number of reads merged.", "counter", 1.0),
    ("read_bytes_total", "The total number of bytes read successfully.", "counter", UNIX_SECTOR_SIZE),
    ("read_time_seconds_total", "The total number of seconds spent by all reads.", "counter",
     SECONDS_PER_TICK),
    ("writes_completed_total", "The total number of writes completed successfully.", "counter", 1.0),
    ("writes_merged_total", "The number of writes merged.", "counter", 1.0),
    ("written_bytes_total", "The total number of bytes written successfully.", "counter", UNIX_SECTOR_SIZE),
    ("write_time_seconds_total", "This is the total number of seconds spent by all writes.", "counter",
     SECONDS_PER_TICK),
    ("io_now", "The number of I/Os currently in progress.", "gauge", 1.0),
    ("io_time_seconds_total", "Total seconds spent doing I/Os.", "counter", SECONDS_PER_TICK),
    ("io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.", "counter",
     SECONDS_PER_TICK),
    ("discards_completed_total", "The total number of discards completed successfully.", "counter", 1.0),
    ("discards_merged_total", "The total number of discards merged.", "counter", 1.0),
    ("discarded_sectors_total", "The total number of sectors discarded successfully.", "counter", 1.0),
    ("discard_time_seconds_total", "This is the total number of seconds spent by all discards.", "counter",
     SECONDS_PER_TICK),
    ("flush_requests_total", "The total number of flush requests completed successfully", "counter", 1.0),
    ("flush_requests_time_seconds_total", "This is the total number of seconds spent by all flush requests.",
     "counter", SECONDS_PER_TICK),
)

#: udev properties exported for ATA disks, with their metric name and HELP.
_ATA = (
    ("ID_ATA_WRITE_CACHE", "ata_write_cache", "ATA disk has a write cache."),
    ("ID_ATA_WRITE_CACHE_ENABLED", "ata_write_cache_enabled", "ATA disk has its write cache enabled."),
    ("ID_ATA_ROTATION_RATE_RPM", "ata_rotation_rate_rpm", "ATA disk rotation rate in RPMs (0 for SSDs)."),
)


DEVICE_EXCLUDE = RegexFlag(
    "collector.diskstats.device-exclude",
    "Regexp of diskstats devices to exclude (mutually exclusive to device-include).", DEFAULT_EXCLUDE,
    alias=DeprecatedAlias("collector.diskstats.ignored-devices", SetWhen.GIVEN))
DEVICE_INCLUDE = RegexFlag("collector.diskstats.device-include",
                           "Regexp of diskstats devices to include (mutually exclusive to device-exclude).")
# pyexporter only: node_disk_device_mapper_backing_device_info comes from a node_exporter pull
# request (#3676) that 1.12.1 does not have, so the default output leaves it out.
DEVICE_MAPPER_BACKING_INFO = BoolFlag(
    "collector.diskstats.device-mapper-backing-info",
    "Expose node_disk_device_mapper_backing_device_info (the devices under each device-mapper device, "
    "from /sys/block/<device>/slaves); not in node_exporter 1.12.1.")


def _device_filter(settings: Settings) -> DeviceFilter:
    exclude, include = settings[DEVICE_EXCLUDE], settings[DEVICE_INCLUDE]
    if not DEVICE_INCLUDE.is_empty(include):
        # As node_exporter: an include pattern replaces the exclude default, but not an exclude
        # pattern given on the command line.
        if settings.given(DEVICE_EXCLUDE) and not DEVICE_EXCLUDE.is_empty(exclude):
            raise ConfigError("device-exclude & device-include are mutually exclusive")
        exclude = None
    return DeviceFilter(exclude, include)


@register
class DiskstatsCollector(Collector):
    name = "diskstats"
    flags = (DEVICE_EXCLUDE, DEVICE_INCLUDE, DEVICE_MAPPER_BACKING_INFO)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.filter = _device_filter(settings)
        self.info = gauge(f"{_D}_info", "Info of /sys/block/<block_device>.", "device", "major", "minor",
                          "path", "wwn", "model", "serial", "revision", "rotational")
        self.stats = tuple(
            ((counter if kind == "counter" else gauge)(f"{_D}_{name}", help, "device"), scale)
            for name, help, kind, scale in _STATS
        )
        self.filesystem_info = gauge(f"{_D}_filesystem_info", "Info about disk filesystem.",
                                     "device", "type", "usage", "uuid", "version")
        self.device_mapper_info = gauge(f"{_D}_device_mapper_info", "Info about disk device mapper.",
                                        "device", "name", "uuid", "vg_name", "lv_name", "lv_layer")
        self.backing_info = settings[DEVICE_MAPPER_BACKING_INFO]
        self.device_mapper_backing = gauge(
            f"{_D}_device_mapper_backing_device_info",
            "Info about the underlying block devices of a device mapper device.", "device", "backing_device")
        self.ata = tuple((prop, gauge(f"{_D}_{name}", help, "device")) for prop, name, help in _ATA)

    def _udev_properties(self, major: int, minor: int) -> dict[str, str]:
        path = self.roots.udev(f"b{major}:{minor}")
        try:
            text = read_optional_text(path)
        except (OSError, ParseError) as exc:
            log.debug("Failed to parse udev info", extra={"err": str(exc)})
            return {}
        return {} if text is None else parse_udev_properties(text)

    def _rotational(self, device: str) -> str:
        """queue/rotational as "0" or "1"; a device without it (or with anything else) reads "0"."""
        value = read_value(self.roots.sys("block", device, "queue", "rotational"), None)
        return "1" if value == "1" else "0"

    def _backing_devices(self, device: str) -> list[str]:
        """The devices under a device-mapper device (/sys/block/<dev>/slaves), sorted."""
        try:
            return list_dir(self.roots.sys("block", device, "slaves"))
        except OSError as exc:
            log.debug("Failed to get device mapper backing devices",
                      extra={"device": device, "err": str(exc)})
            return []

    def collect(self) -> Iterator[MetricFamily]:
        devices = parse_diskstats(read_text(self.roots.proc("diskstats")))
        info = self.info.family()
        stats = [(desc.family(), scale) for desc, scale in self.stats]
        fs_info = self.filesystem_info.family()
        dm_info = self.device_mapper_info.family()
        dm_backing = self.device_mapper_backing.family()
        ata = [(prop, desc.family()) for prop, desc in self.ata]
        for disk in devices:
            dev = disk.name
            if self.filter.ignored(dev):
                continue
            props = self._udev_properties(disk.major, disk.minor)
            # The serial printed on the label, else the short serial, else ID_SERIAL (virtio).
            serial = (props.get("SCSI_IDENT_SERIAL") or props.get("ID_SERIAL_SHORT")
                      or props.get("ID_SERIAL", ""))
            info.add(1, dev, str(disk.major), str(disk.minor), props.get("ID_PATH", ""),
                     props.get("ID_WWN", ""), props.get("ID_MODEL", ""), serial,
                     props.get("ID_REVISION", ""), self._rotational(dev))
            for (family, scale), value in zip(stats, disk.stats, strict=False):
                family.add(float(value) * scale if scale != 1.0 else value, dev)
            if props.get("ID_FS_TYPE"):
                fs_info.add(1, dev, props["ID_FS_TYPE"], props.get("ID_FS_USAGE", ""),
                            props.get("ID_FS_UUID", ""), props.get("ID_FS_VERSION", ""))
            if props.get("DM_NAME"):
                dm_info.add(1, dev, props["DM_NAME"], props.get("DM_UUID", ""), props.get("DM_VG_NAME", ""),
                            props.get("DM_LV_NAME", ""), props.get("DM_LV_LAYER", ""))
                if self.backing_info:
                    for backing in self._backing_devices(dev):
                        dm_backing.add(1, dev, backing)
            if props.get("ID_ATA"):
                for prop, family in ata:
                    raw = props.get(prop)
                    if raw is None:
                        log.debug("Udev attribute does not exist", extra={"attribute": prop})
                        continue
                    try:
                        family.add(parse_float(raw), dev)
                    except ParseError as exc:
                        log.error("Failed to parse ATA value", extra={"err": str(exc)})
        yield from (info, fs_info, dm_info, dm_backing)
        yield from (family for family, _ in stats)
        yield from (family for _, family in ata)
