"""runit (deprecated): the state of runit services, as node_exporter's runit collector.

node_exporter reads `--collector.runit.servicedir` (a plain path, not under
--path.rootfs) with prometheus-community/go-runit: every directory or symlink in
it is a service, `<service>/supervise/status` is runsv's 20-byte status record,
and a service is "normally up" unless `<service>/supervise/down` exists (go-runit
looks there, not at runit's `<service>/down`; kept for identical output).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass

from pyexporter.errors import NoDataError, ParseError
from pyexporter.flags import StringFlag
from pyexporter.fs import read_file
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)

DEPRECATION_WARNING = "This collector is deprecated and will be removed in the next major version release."

#: runsv's status record; go-runit reads it with one read of this many bytes.
STATUS_LEN = 20
#: TAI64 label of the Unix epoch (2^62 + 10 leap seconds).
TAI_OFFSET = 4611686018427387914
_STATUS_READ_LIMIT = 1 << 20


@dataclass(frozen=True, slots=True)
class RunitStatus:
    pid: int
    timestamp: int
    state: int
    want: int


def _signed64(value: int) -> int:
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


def parse_status(data: bytes) -> RunitStatus:
    """runsv's supervise/status record as go-runit decodes it.

    Bytes 0-7: TAI64 seconds of the last change (big endian), 12-15: pid (little
    endian), 17: wanted state ('u' up, 'd' down), 19: state (0 down, 1 run, 2
    finish). go-runit reads once into a zeroed 20-byte buffer, so a short record
    reads as zero-padded; only an empty one fails (io.EOF).
    """
    if not data:
        raise ParseError("supervise/status is empty")
    record = data[:STATUS_LEN].ljust(STATUS_LEN, b"\0")
    tai = int.from_bytes(record[0:8], "big", signed=True)
    return RunitStatus(
        pid=int.from_bytes(record[12:16], "little"),
        timestamp=_signed64(tai - TAI_OFFSET),
        state=record[19],
        want=1 if record[17] == ord("u") else 0,
    )


def list_services(service_dir: str) -> list[str]:
    """Entries of the service directory that are directories or symlinks (even dangling), by name."""
    try:
        with os.scandir(service_dir) as it:
            names = [e.name for e in it if e.is_symlink() or e.is_dir(follow_symlinks=False)]
    except FileNotFoundError as exc:
        raise NoDataError(f"runit service directory {service_dir} does not exist") from exc
    return sorted(names)


SERVICE_DIR = StringFlag("collector.runit.servicedir", "Path to runit service directory.", "/etc/service")


@register
class RunitCollector(Collector):
    name = "runit"
    default_enabled = False
    flags = (SERVICE_DIR,)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.service_dir = settings[SERVICE_DIR] or ""
        log.warning(DEPRECATION_WARNING, extra={"collector": self.name})
        labels = ("service", "supervisor")
        self.state = gauge(f"{NAMESPACE}_service_state", "State of runit service.", *labels)
        self.desired = gauge(f"{NAMESPACE}_service_desired_state", "Desired state of runit service.", *labels)
        self.normal = gauge(f"{NAMESPACE}_service_normal_state", "Normal state of runit service.", *labels)
        self.changed = gauge(f"{NAMESPACE}_service_state_last_change_timestamp_seconds",
                             "Unix timestamp of the last runit service state change.", *labels)

    def collect(self) -> Iterator[MetricFamily]:
        # go-runit builds "<dir>/<name>/supervise/<file>" by string formatting; so do we.
        base = self.service_dir
        state, desired, normal, changed = (d.family() for d in (self.state, self.desired, self.normal,
                                                                 self.changed))
        for name in list_services(base):
            supervise = f"{base}/{name}/supervise"
            try:
                status = parse_status(read_file(f"{supervise}/status", _STATUS_READ_LIMIT))
            except (OSError, ParseError) as exc:
                log.debug("Couldn't get status", extra={"service": name, "err": str(exc)})
                continue
            state.add(status.state, name, "runit")
            desired.add(status.want, name, "runit")
            changed.add(status.timestamp, name, "runit")
            normal.add(0 if _exists(f"{supervise}/down") else 1, name, "runit")
        yield from (state, desired, changed, normal)


def _exists(path: str) -> bool:
    """os.Stat succeeding: follows symlinks; any error (absent, unreadable) counts as absent."""
    try:
        os.stat(path)
    except (OSError, ValueError):
        return False
    return True
