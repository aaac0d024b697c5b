"""timex: the kernel clock discipline state from the adjtimex(2) system call (read only, modes = 0)."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from pyexporter.errors import NoDataError
from pyexporter.metrics import NAMESPACE, MetricFamily, counter, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)

#: adjtimex() clock state: not synchronised to a reliable server.
TIME_ERROR = 5
#: timex.status bit: offset and jitter are in nanoseconds, not microseconds.
STA_NANO = 0x2000
NANOSECONDS = 1_000_000_000
MICROSECONDS = 1_000_000
#: freq, ppsfreq and stabil are scaled ppm with a 16-bit fraction (adjtimex(2) NOTES).
PPM16FRAC = 1_000_000.0 * 65536.0


class Timex(ctypes.Structure):
    """struct timex as glibc declares it; C long/int widths follow the platform."""

    _fields_ = (
        ("modes", ctypes.c_uint),
        ("offset", ctypes.c_long),
        ("freq", ctypes.c_long),
        ("maxerror", ctypes.c_long),
        ("esterror", ctypes.c_long),
        ("status", ctypes.c_int),
        ("constant", ctypes.c_long),
        ("precision", ctypes.c_long),
        ("tolerance", ctypes.c_long),
        ("time_sec", ctypes.c_long),
        ("time_usec", ctypes.c_long),
        ("tick", ctypes.c_long),
        ("ppsfreq", ctypes.c_long),
        ("jitter", ctypes.c_long),
        ("shift", ctypes.c_int),
        ("stabil", ctypes.c_long),
        ("jitcnt", ctypes.c_long),
        ("calcnt", ctypes.c_long),
        ("errcnt", ctypes.c_long),
        ("stbcnt", ctypes.c_long),
        ("tai", ctypes.c_int),
        ("_reserved", ctypes.c_int * 11),
    )


@dataclass(frozen=True, slots=True)
class TimexValues:
    """The metric values derived from one adjtimex() result."""

    sync_status: float
    offset_seconds: float
    frequency_adjustment_ratio: float
    maxerror_seconds: float
    estimated_error_seconds: float
    status: float
    loop_time_constant: float
    tick_seconds: float
    pps_frequency_hertz: float
    pps_jitter_seconds: float
    pps_shift_seconds: float
    pps_stability_hertz: float
    pps_jitter_total: float
    pps_calibration_total: float
    pps_error_total: float
    pps_stability_exceeded_total: float
    tai_offset_seconds: float


def timex_values(state: int, tx: Timex) -> TimexValues:
    """node_exporter's scaling of adjtimex()'s return value and struct."""
    divisor = NANOSECONDS if tx.status & STA_NANO else MICROSECONDS
    return TimexValues(
        sync_status=0.0 if state == TIME_ERROR else 1.0,
        offset_seconds=tx.offset / divisor,
        frequency_adjustment_ratio=1 + tx.freq / PPM16FRAC,
        maxerror_seconds=tx.maxerror / MICROSECONDS,
        estimated_error_seconds=tx.esterror / MICROSECONDS,
        status=float(tx.status),
        loop_time_constant=float(tx.constant),
        tick_seconds=tx.tick / MICROSECONDS,
        pps_frequency_hertz=tx.ppsfreq / PPM16FRAC,
        pps_jitter_seconds=tx.jitter / divisor,
        pps_shift_seconds=float(tx.shift),
        pps_stability_hertz=tx.stabil / PPM16FRAC,
        pps_jitter_total=float(tx.jitcnt),
        pps_calibration_total=float(tx.calcnt),
        pps_error_total=float(tx.errcnt),
        pps_stability_exceeded_total=float(tx.stbcnt),
        tai_offset_seconds=float(tx.tai),
    )


def load_adjtimex() -> ctypes._CFuncPtr:  # type: ignore[name-defined]
    """libc's adjtimex(), typed."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    func = libc.adjtimex
    func.argtypes = (ctypes.POINTER(Timex),)
    func.restype = ctypes.c_int
    return func


def adjtimex(func: ctypes._CFuncPtr) -> tuple[int, Timex]:  # type: ignore[name-defined]
    """Read the clock state (modes = 0 changes nothing and needs no privilege). OSError on failure."""
    tx = Timex()
    state = func(ctypes.byref(tx))
    if state == -1:
        err = ctypes.get_errno()
        raise OSError(err, f"adjtimex: {errno.errorcode.get(err, err)}")
    return state, tx


_DESCRIPTIONS = (
    ("sync_status", gauge, "Is clock synchronized to a reliable server (1 = yes, 0 = no)."),
    ("offset_seconds", gauge, "Time offset in between local system and reference clock."),
    ("frequency_adjustment_ratio", gauge, "Local clock frequency adjustment."),
    ("maxerror_seconds", gauge, "Maximum error in seconds."),
    ("estimated_error_seconds", gauge, "Estimated error in seconds."),
    ("status", gauge, "Value of the status array bits."),
    ("loop_time_constant", gauge, "Phase-locked loop time constant."),
    ("tick_seconds", gauge, "Seconds between clock ticks."),
    ("pps_frequency_hertz", gauge, "Pulse per second frequency."),
    ("pps_jitter_seconds", gauge, "Pulse per second jitter."),
    ("pps_shift_seconds", gauge, "Pulse per second interval duration."),
    ("pps_stability_hertz", gauge, "Pulse per second stability, average of recent frequency changes."),
    ("pps_jitter_total", counter, "Pulse per second count of jitter limit exceeded events."),
    ("pps_calibration_total", counter, "Pulse per second count of calibration intervals."),
    ("pps_error_total", counter, "Pulse per second count of calibration errors."),
    ("pps_stability_exceeded_total", counter, "Pulse per second count of stability limit exceeded events."),
    ("tai_offset_seconds", gauge, "International Atomic Time (TAI) offset."),
)


@register
class TimexCollector(Collector):
    name = "timex"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.adjtimex = load_adjtimex()
        self.descs = tuple(
            (field, make(f"{NAMESPACE}_timex_{field}", help)) for field, make, help in _DESCRIPTIONS
        )

    def collect(self) -> Iterator[MetricFamily]:
        try:
            state, tx = adjtimex(self.adjtimex)
        except OSError as exc:
            if exc.errno in (errno.EPERM, errno.EACCES):
                log.debug("Not collecting timex metrics: %s", exc)
                raise NoDataError(str(exc)) from None
            raise
        values = timex_values(state, tx)
        yield from (desc.one(getattr(values, field)) for field, desc in self.descs)
