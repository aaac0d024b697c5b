import pytest

from pyexporter.errors import ConfigError, ParseError
from tests.procfs.test_interrupts import INTERRUPTS
from tests.support import collect_text, make_collector, samples, write_tree


def test_interrupts_collector(tmp_path):
    write_tree(tmp_path, {"proc/interrupts": INTERRUPTS})
    collector = make_collector("interrupts", tmp_path)
    got = samples(collector.collect())
    assert len(got) == 6
    usb = 'node_interrupts_total{cpu="1",devices="ehci_hcd:usb1, mmc0",info="IR-IO-APIC-fasteoi",type="16"}'
    assert got[usb] == 322879
    assert got['node_interrupts_total{cpu="0",devices="",info="Non-maskable interrupts",type="NMI"}'] == 47
    assert got['node_interrupts_total{cpu="1",devices="timer",info="IR-IO-APIC-edge",type="0"}'] == 0
    text = collect_text(collector)
    assert "# HELP node_interrupts_total Interrupt details.\n# TYPE node_interrupts_total counter\n" in text


def test_interrupts_without_zeros(tmp_path):
    write_tree(tmp_path, {"proc/interrupts": INTERRUPTS})
    got = samples(make_collector("interrupts", tmp_path, "--no-collector.interrupts.include-zeros").collect())
    assert len(got) == 5
    assert not any(value == 0 for value in got.values())


@pytest.mark.parametrize(
    ("flag", "types"),
    [
        ("--collector.interrupts.name-include=^NMI", {"NMI"}),
        ("--collector.interrupts.name-exclude=^NMI", {"0", "16"}),
        # the filters see "name;info;devices"
        ("--collector.interrupts.name-include=usb1", {"16"}),
        ("--collector.interrupts.name-exclude=;timer$", {"16", "NMI"}),
    ],
)
def test_interrupts_name_filters(tmp_path, flag, types):
    write_tree(tmp_path, {"proc/interrupts": INTERRUPTS})
    families = list(make_collector("interrupts", tmp_path, flag).collect())
    assert {dict(s.labels)["type"] for s in families[0].samples} == types


def test_interrupts_invalid_filter(tmp_path):
    with pytest.raises(ConfigError):
        make_collector("interrupts", tmp_path, "--collector.interrupts.name-include=(")


def test_interrupts_malformed_value(tmp_path):
    write_tree(tmp_path, {"proc/interrupts": INTERRUPTS + "LOC:  12  x  Local timer interrupts\n"})
    with pytest.raises(ParseError):
        list(make_collector("interrupts", tmp_path).collect())


def test_interrupts_empty_file(tmp_path):
    write_tree(tmp_path, {"proc/interrupts": ""})
    with pytest.raises(ParseError):
        list(make_collector("interrupts", tmp_path).collect())


def test_interrupts_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(make_collector("interrupts", tmp_path).collect())
