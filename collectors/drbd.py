"""drbd: per-device statistics from /proc/drbd (DRBD 8.x), node_drbd_*."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from pyexporter.errors import NoDataError, ParseError
from pyexporter.fs import read_optional_text
from pyexporter.golang.strconv import parse_float
from pyexporter.metrics import COUNTER, GAUGE, NAMESPACE, Desc, Families, MetricFamily, gauge
from pyexporter.procfs.drbd import parse_drbd
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)

# key in /proc/drbd -> (metric name, HELP, type, multiplier). The kB counters are turned into bytes.
_NUMERICAL: dict[str, tuple[str, str, str, float]] = {
    "ns": ("network_sent_bytes_total", "Total number of bytes sent via the network.", COUNTER, 1024),
    "nr": ("network_received_bytes_total", "Total number of bytes received via the network.", COUNTER, 1),
    "dw": ("disk_written_bytes_total", "Net data written on local hard disk; in bytes.", COUNTER, 1024),
    "dr": ("disk_read_bytes_total", "Net data read from local hard disk; in bytes.", COUNTER, 1024),
    "al": ("activitylog_writes_total", "Number of updates of the activity log area of the meta data.",
           COUNTER, 1),
    "bm": ("bitmap_writes_total", "Number of updates of the bitmap area of the meta data.", COUNTER, 1),
    "lo": ("local_pending", "Number of open requests to the local I/O sub-system.", GAUGE, 1),
    "pe": ("remote_pending",
           "Number of requests sent to the peer, but that have not yet been answered by the latter.",
           GAUGE, 1),
    "ua": ("remote_unacknowledged",
           "Number of requests received by the peer via the network connection, but that have not yet "
           "been answered.", GAUGE, 1),
    "ap": ("application_pending",
           "Number of block I/O requests forwarded to DRBD, but not yet answered by DRBD.", GAUGE, 1),
    "ep": ("epochs", "Number of Epochs currently on the fly.", GAUGE, 1),
    "oos": ("out_of_sync_bytes", "Amount of data known to be out of sync; in bytes.", GAUGE, 1024),
}
# key -> (metric name, HELP, the value that counts as okay); the value is `local/remote`.
_STRING_PAIR: dict[str, tuple[str, str, str]] = {
    "ro": ("node_role_is_primary", "Whether the role of the node is in the primary state.", "Primary"),
    "ds": ("disk_state_is_up_to_date", "Whether the disk of the node is up to date.", "UpToDate"),
}


@register
class DrbdCollector(Collector):
    name = "drbd"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.numerical: dict[str, tuple[Desc, float]] = {
            key: (Desc(f"{NAMESPACE}_drbd_{name}", help_text, kind, ("device",)), multiplier)
            for key, (name, help_text, kind, multiplier) in _NUMERICAL.items()
        }
        self.string_pair: dict[str, tuple[Desc, str]] = {
            key: (gauge(f"{NAMESPACE}_drbd_{name}", help_text, "device", "node"), okay)
            for key, (name, help_text, okay) in _STRING_PAIR.items()
        }
        self.connected = gauge(
            f"{NAMESPACE}_drbd_connected", "Whether DRBD is connected to the peer.", "device"
        )

    def collect(self) -> Iterator[MetricFamily]:
        text = read_optional_text(self.roots.proc("drbd"))
        if text is None:
            raise NoDataError("/proc/drbd does not exist")
        # node_exporter sends each value as it scans the file: one it cannot convert ends the
        # collection with the earlier values sent. The families are yielded first and filled after.
        families = Families()
        family = families.of
        for desc in (*(d for d, _ in self.numerical.values()), *(d for d, _ in self.string_pair.values()),
                     self.connected):
            family(desc)
        yield from families.values()
        for entry in parse_drbd(text):
            numerical = self.numerical.get(entry.key)
            if numerical is not None:
                desc, multiplier = numerical
                family(desc).add(parse_float(entry.value) * multiplier, entry.device)
                continue
            pair = self.string_pair.get(entry.key)
            if pair is not None:
                desc, okay = pair
                values = entry.value.split("/")
                if len(values) < 2:
                    raise ParseError(f"drbd: {entry.key} value without local/remote part: {entry.value!r}")
                fam = family(desc)
                fam.add(1.0 if values[0] == okay else 0.0, entry.device, "local")
                fam.add(1.0 if values[1] == okay else 0.0, entry.device, "remote")
                continue
            if entry.key == "cs":
                family(self.connected).add(1.0 if entry.value == "Connected" else 0.0, entry.device)
                continue
            log.debug("drbd: unhandled key-value pair %s=%s", entry.key, entry.value)
