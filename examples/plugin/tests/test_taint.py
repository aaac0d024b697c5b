"""The taint collector, built as the exporter builds it (pyexporter.plugin.parse_settings), on
fixture trees the tests write: the plugin must be installed (`pip install -e .`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyexporter.plugin import API_VERSION, NoDataError, ParseError, parse_settings

from pyexporter_collector_taint.collector import FLAGS, TaintCollector, parse_tainted, set_bits


@pytest.mark.parametrize(("text", "mask"), [
    ("0\n", 0),
    ("4096\n", 4096),
    ("  12289", 12289),
    (str(2**63 - 1), 2**63 - 1),
])
def test_parse_tainted(text, mask):
    assert parse_tainted(text) == mask


@pytest.mark.parametrize("text", ["", "\n", "-1\n", "12 13\n", "0x10\n", "4096abc", "٣\n"])
def test_parse_tainted_refuses_what_is_not_one_unsigned_decimal(text):
    with pytest.raises(ParseError):
        parse_tainted(text)


def test_set_bits():
    assert set_bits(0) == []
    assert set_bits(0b1000000000001) == [0, 12]


def collect(root: Path, *flags: str) -> dict[str, float]:
    settings = parse_settings([f"--path.procfs={root / 'proc'}", "--collector.taint", *flags])
    assert "taint" in settings.enabled_collectors
    out = {}
    for family in TaintCollector(settings).collect():
        for name, labels, value in family.samples:
            out[name + "".join(f",{k}={v}" for k, v in labels)] = value
    return out


def write_tainted(root: Path, text: str) -> None:
    path = root / "proc" / "sys" / "kernel" / "tainted"
    path.parent.mkdir(parents=True)
    path.write_text(text)


def test_bits_set(tmp_path):
    # P (a proprietary module) and O (an out-of-tree module): 1 + 4096.
    write_tainted(tmp_path, "4097\n")
    assert collect(tmp_path) == {"node_taint_mask": 4097.0, "node_taint_bit,bit=0,flag=P": 1.0,
                                 "node_taint_bit,bit=12,flag=O": 1.0}


def test_all_bits_flag(tmp_path):
    write_tainted(tmp_path, "512\n")
    samples = collect(tmp_path, "--collector.taint.all-bits")
    bits = {key: value for key, value in samples.items() if key.startswith("node_taint_bit")}
    assert len(bits) == len(FLAGS)
    assert bits.pop("node_taint_bit,bit=9,flag=W") == 1.0
    assert set(bits.values()) == {0.0}


def test_a_bit_without_a_letter(tmp_path):
    write_tainted(tmp_path, str(1 << 40))
    assert collect(tmp_path)["node_taint_bit,bit=40,flag="] == 1.0


def test_untainted(tmp_path):
    write_tainted(tmp_path, "0\n")
    assert collect(tmp_path) == {"node_taint_mask": 0.0}


def test_absent_file(tmp_path):
    (tmp_path / "proc").mkdir()
    settings = parse_settings([f"--path.procfs={tmp_path / 'proc'}"])
    with pytest.raises(NoDataError):
        list(TaintCollector(settings).collect())


def test_the_installed_pyexporter_runs_the_api_it_is_written_for():
    assert TaintCollector.api_version == API_VERSION


def test_off_unless_enabled():
    assert "taint" not in parse_settings([]).enabled_collectors
