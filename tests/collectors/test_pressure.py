import errno

import pytest

from pyexporter.errors import NoDataError, ParseError
from tests.procfs.test_pressure import IRQ
from tests.support import collect_text, make_collector, samples, write_tree

CPU = ("some avg10=0.00 avg60=0.00 avg300=0.00 total=14036781\n"
       "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")
IO = ("some avg10=0.18 avg60=0.34 avg300=0.10 total=159886802\n"
      "full avg10=0.18 avg60=0.34 avg300=0.10 total=159229614\n")
MEMORY = ("some avg10=0.00 avg60=0.00 avg300=0.00 total=250000\n"
          "full avg10=0.00 avg60=0.00 avg300=0.00 total=125000\n")


def psi_tree(root, **files):
    content = {"cpu": CPU, "io": IO, "memory": MEMORY, "irq": IRQ}
    content.update(files)
    return write_tree(root, {f"proc/pressure/{k}": v for k, v in content.items() if v is not None})


def test_pressure_collector(tmp_path):
    got = samples(make_collector("pressure", psi_tree(tmp_path)).collect())
    assert got == {
        "node_pressure_cpu_waiting_seconds_total": 14036781 / 1000.0 / 1000.0,
        "node_pressure_io_waiting_seconds_total": 159.886802,
        "node_pressure_io_stalled_seconds_total": 159.229614,
        "node_pressure_memory_waiting_seconds_total": 0.25,
        "node_pressure_memory_stalled_seconds_total": 0.125,
        "node_pressure_irq_stalled_seconds_total": 0.008494,
    }
    # Two divisions by 1000, as node_exporter: one division by 1e6 rounds differently here.
    assert got["node_pressure_cpu_waiting_seconds_total"] != 14036781 / 1e6


def test_pressure_help(tmp_path):
    text = collect_text(make_collector("pressure", psi_tree(tmp_path)))
    assert ("# HELP node_pressure_irq_stalled_seconds_total Total time in seconds no process could make "
            "progress due to IRQ congestion\n"
            "# TYPE node_pressure_irq_stalled_seconds_total counter\n") in text


def test_pressure_missing_resources_are_skipped(tmp_path):
    psi_tree(tmp_path, irq=None, memory=None)
    got = samples(make_collector("pressure", tmp_path).collect())
    assert sorted(got) == ["node_pressure_cpu_waiting_seconds_total",
                           "node_pressure_io_stalled_seconds_total",
                           "node_pressure_io_waiting_seconds_total"]


def test_pressure_missing_some_line_is_no_data(tmp_path):
    psi_tree(tmp_path, memory="full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")
    with pytest.raises(NoDataError):
        list(make_collector("pressure", tmp_path).collect())


def test_pressure_empty_file_is_no_data(tmp_path):
    psi_tree(tmp_path, cpu="")
    with pytest.raises(NoDataError):
        list(make_collector("pressure", tmp_path).collect())


def test_pressure_malformed_line_fails(tmp_path):
    psi_tree(tmp_path, io="some avg10=broken\n")
    with pytest.raises(ParseError):
        list(make_collector("pressure", tmp_path).collect())


def test_pressure_disabled_by_kernel_is_no_data(tmp_path, monkeypatch):
    psi_tree(tmp_path)
    import pyexporter.collectors.pressure as module

    def refuse(path):
        raise OSError(errno.EOPNOTSUPP, "Operation not supported", path)

    monkeypatch.setattr(module, "read_text", refuse)
    with pytest.raises(NoDataError):
        list(make_collector("pressure", tmp_path).collect())
