import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyexporter.collectors.os import parse_os_release, read_os_release
from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree

UBUNTU = """\
NAME="Ubuntu"
VERSION="20.04.2 LTS (Focal Fossa)"
ID=ubuntu
ID_LIKE=debian
PRETTY_NAME="Ubuntu 20.04.2 LTS"
VERSION_ID="20.04"
HOME_URL="https://www.ubuntu.com/"
VERSION_CODENAME=focal
"""

INFO_LABELS = ('build_id="",id="{id}",id_like="{like}",image_id="",image_version="",name="{name}",'
               'pretty_name="{pretty}",variant="",variant_id="",version="{version}",'
               'version_codename="{codename}",version_id="{version_id}"')


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("", {}),
        ("# comment\n\n   \nA=1\n", {"A": "1"}),
        ("A = spaced value  # trailing comment\n", {"A": "spaced value"}),
        ("export B=x\n", {"B": "x"}),
        ("export=x\n", {"export": "x"}),
        ("C='single \"quoted\" # not a comment'\n", {"C": 'single "quoted" # not a comment'}),
        ('D="a\\"b\\\\c\\n\\u00e9"\n', {"D": 'a"b\\c\né'}),
        ('E="\\ud83d\\ude00"\n', {"E": "\U0001f600"}),
        ("F=\n", {"F": ""}),
        ("G=a\nG=b\n", {"G": "b"}),
        ("H=caf\u00e9\n", {"H": "caf\u00e9"}),
        ("dotted.key/x=1\n", {"dotted.key/x": "1"}),
        ("I=\"ab\"cd'ef'\n", {"I": "abcdef"}),
    ],
)
def test_parse_os_release(data, expected):
    assert parse_os_release(data) == expected


@pytest.mark.parametrize(
    "data",
    ["NOVALUE\n", "=x\n", "1KEY=x\n", "KE-Y=x\n", 'A="open\n', "A='open\n", 'A="bad \\q"\n', 'A="\\u12"\n',
     'A="\\ud83d"\n', "A=tab\there\n", "A=ctl\x01\n", "\x00\xff\x01"],
)
def test_parse_os_release_rejects(data):
    with pytest.raises(ParseError):
        parse_os_release(data)


def test_read_os_release_version_and_support_end():
    release = read_os_release(b'VERSION_ID="12.3.4"\nSUPPORT_END=2026-06-10\n')
    assert release.version == 12.3
    assert release.support_end == 1781049600
    assert read_os_release(b"VERSION_ID=rolling\n").version == 0
    assert read_os_release(b"VERSION_ID=7\n").version == 7.0
    with pytest.raises(ParseError):
        read_os_release(b"SUPPORT_END=2026-02-30\n")
    with pytest.raises(ParseError):
        read_os_release(b"SUPPORT_END=soon\n")


def test_os_collector_prefers_etc(tmp_path):
    write_tree(tmp_path, {
        "etc/os-release": UBUNTU,
        "usr/lib/os-release": 'NAME="Other"\nID=other\nVERSION_ID=1\n',
    })
    got = samples(make_collector("os", tmp_path).collect())
    labels = INFO_LABELS.format(id="ubuntu", like="debian", name="Ubuntu", pretty="Ubuntu 20.04.2 LTS",
                                version="20.04.2 LTS (Focal Fossa)", codename="focal", version_id="20.04")
    info = "node_os_info{" + labels + "}"
    assert got == {info: 1, 'node_os_version{id="ubuntu",id_like="debian",name="Ubuntu"}': 20.04}


def test_os_collector_falls_back_to_usr_lib(tmp_path):
    write_tree(tmp_path, {"usr/lib/os-release": 'NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\n'
                                                "SUPPORT_END=2030-01-01\n"})
    got = samples(make_collector("os", tmp_path).collect())
    assert not any(k.startswith("node_os_version") for k in got)
    assert got["node_os_support_end_timestamp_seconds"] == 1893456000
    assert any('build_id="rolling"' in k and 'name="Arch Linux"' in k for k in got)


def test_os_collector_help(tmp_path):
    write_tree(tmp_path, {"etc/os-release": UBUNTU})
    text = collect_text(make_collector("os", tmp_path))
    assert ("# HELP node_os_version Metric containing the major.minor part of the OS version.\n"
            "# TYPE node_os_version gauge\n") in text


def test_os_collector_rereads_on_change(tmp_path):
    write_tree(tmp_path, {"etc/os-release": UBUNTU})
    collector = make_collector("os", tmp_path)
    list(collector.collect())
    write_tree(tmp_path, {"etc/os-release": UBUNTU.replace('VERSION_ID="20.04"', 'VERSION_ID="22.04"')})
    os.utime(tmp_path / "etc/os-release", ns=(1, 1))
    got = samples(collector.collect())
    assert got['node_os_version{id="ubuntu",id_like="debian",name="Ubuntu"}'] == 22.04


def test_os_collector_empty_file(tmp_path):
    write_tree(tmp_path, {"etc/os-release": ""})
    got = samples(make_collector("os", tmp_path).collect())
    assert list(got.values()) == [1]


def test_os_collector_malformed_file(tmp_path):
    write_tree(tmp_path, {"etc/os-release": UBUNTU + "this is not a pair\n"})
    with pytest.raises(ParseError):
        list(make_collector("os", tmp_path).collect())


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_read_os_release_only_raises_parse_error(data):
    try:
        read_os_release(data)
    except ParseError:
        pass
