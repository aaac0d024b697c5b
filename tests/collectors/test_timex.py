import errno

import pytest

import pyexporter.collectors.timex as timex
from pyexporter.collectors.timex import STA_NANO, TIME_ERROR, Timex, timex_values
from pyexporter.errors import NoDataError
from tests.support import collect_text, make_collector, samples


def _timex(**fields):
    tx = Timex()
    for name, value in fields.items():
        setattr(tx, name, value)
    return tx


def test_values_from_constructed_struct_microseconds():
    tx = _timex(offset=-2500, freq=655360 * 5, maxerror=16000000, esterror=250, status=0x0001,
                constant=7, tick=10000, ppsfreq=65536 * 3, jitter=1500, shift=4, stabil=65536,
                jitcnt=1, calcnt=2, errcnt=3, stbcnt=4, tai=37)
    v = timex_values(0, tx)
    assert v.sync_status == 1
    assert v.offset_seconds == -0.0025
    assert v.frequency_adjustment_ratio == pytest.approx(1.00005)
    assert v.maxerror_seconds == 16 and v.estimated_error_seconds == 0.00025
    assert v.status == 1 and v.loop_time_constant == 7 and v.tick_seconds == 0.01
    assert v.pps_frequency_hertz == pytest.approx(3e-6) and v.pps_stability_hertz == pytest.approx(1e-6)
    assert v.pps_jitter_seconds == 0.0015 and v.pps_shift_seconds == 4
    assert (v.pps_jitter_total, v.pps_calibration_total, v.pps_error_total) == (1, 2, 3)
    assert v.pps_stability_exceeded_total == 4 and v.tai_offset_seconds == 37


def test_values_nanosecond_resolution_and_unsynchronised_clock():
    v = timex_values(TIME_ERROR, _timex(offset=2500, jitter=-1000, status=STA_NANO | 0x40))
    assert v.sync_status == 0
    assert v.offset_seconds == 2.5e-6 and v.pps_jitter_seconds == -1e-6
    assert v.status == STA_NANO | 0x40
    # maxerror and esterror stay in microseconds whatever STA_NANO says.
    assert timex_values(0, _timex(maxerror=5, status=STA_NANO)).maxerror_seconds == 5e-6


def test_struct_layout_matches_glibc():
    import ctypes

    assert ctypes.sizeof(Timex) == (208 if ctypes.sizeof(ctypes.c_long) == 8 else 128)
    assert Timex.tai.offset == ctypes.sizeof(Timex) - 12 * 4


def test_real_adjtimex_is_plausible(tmp_path):
    collector = make_collector("timex", tmp_path)
    got = samples(collector.collect())
    assert len(got) == 17
    assert got["node_timex_sync_status"] in (0, 1)
    # The kernel keeps tick within 10% of 1/HZ, HZ being 100 to 1000.
    assert 0.0009 <= got["node_timex_tick_seconds"] <= 0.011
    # freq is limited to +-500 ppm (MAXFREQ).
    assert abs(got["node_timex_frequency_adjustment_ratio"] - 1) <= 0.0005
    assert 0 <= got["node_timex_maxerror_seconds"] <= 16
    assert 0 <= got["node_timex_loop_time_constant"] <= 10
    assert abs(got["node_timex_offset_seconds"]) < 1
    assert "# TYPE node_timex_pps_jitter_total counter\n" in collect_text(collector)


def test_permission_denied_is_no_data(tmp_path, monkeypatch):
    def denied(func):
        raise OSError(errno.EPERM, "adjtimex: EPERM")

    monkeypatch.setattr(timex, "adjtimex", denied)
    with pytest.raises(NoDataError):
        list(make_collector("timex", tmp_path).collect())


def test_other_errors_fail(tmp_path, monkeypatch):
    def broken(func):
        raise OSError(errno.EFAULT, "adjtimex: EFAULT")

    monkeypatch.setattr(timex, "adjtimex", broken)
    with pytest.raises(OSError):
        list(make_collector("timex", tmp_path).collect())
