import os

import pytest

from pyexporter.collectors.edac import format_dimm_label
from tests.support import collect_text, make_collector, samples, write_tree

MC = "sys/devices/system/edac/mc"


def tree(tmp_path):
    return write_tree(tmp_path, {
        f"{MC}/mc0/ce_count": "1\n",
        f"{MC}/mc0/ue_count": "5\n",
        f"{MC}/mc0/ce_noinfo_count": "2\n",
        f"{MC}/mc0/ue_noinfo_count": "6\n",
        f"{MC}/mc0/csrow0/ce_count": "3\n",
        f"{MC}/mc0/csrow0/ue_count": "4\n",
        f"{MC}/mc0/csrow0/ch0_ce_count": "7\n",
        f"{MC}/mc0/csrow0/ch0_ue_count": "8\n",
        f"{MC}/mc0/csrow0/ch0_dimm_label": "mc#0csrow#0channel#0\n",
        # No ue count and no label for channel 1: drivers often omit both.
        f"{MC}/mc0/csrow0/ch1_ce_count": "9\n",
        f"{MC}/mc0/power/control": "auto\n",
        f"{MC}/mc1/ue_count": "11\n",
        # A directory where the counter should be: unreadable, skipped alone.
        f"{MC}/mc1/ce_count/": None,
        f"{MC}/mc1/ce_noinfo_count": "garbage\n",
        f"{MC}/mc1/ue_noinfo_count": "0\n",
    })


def test_edac_counters(tmp_path):
    tree(tmp_path)
    os.symlink("../../../../nowhere", tmp_path / MC / "mc2")  # broken link: nothing to read
    got = samples(make_collector("edac", tmp_path).collect())
    assert got == {
        'node_edac_correctable_errors_total{controller="0"}': 1,
        'node_edac_uncorrectable_errors_total{controller="0"}': 5,
        'node_edac_uncorrectable_errors_total{controller="1"}': 11,
        'node_edac_csrow_correctable_errors_total{controller="0",csrow="unknown"}': 2,
        'node_edac_csrow_uncorrectable_errors_total{controller="0",csrow="unknown"}': 6,
        'node_edac_csrow_uncorrectable_errors_total{controller="1",csrow="unknown"}': 0,
        'node_edac_csrow_correctable_errors_total{controller="0",csrow="0"}': 3,
        'node_edac_csrow_uncorrectable_errors_total{controller="0",csrow="0"}': 4,
        'node_edac_channel_correctable_errors_total{channel="0",controller="0",csrow="0",'
        'dimm_label="mc0_csrow0_channel0"}': 7,
        'node_edac_channel_uncorrectable_errors_total{channel="0",controller="0",csrow="0",'
        'dimm_label="mc0_csrow0_channel0"}': 8,
        'node_edac_channel_correctable_errors_total{channel="1",controller="0",csrow="0",'
        'dimm_label="unknown"}': 9,
    }


def test_edac_help_and_type(tmp_path):
    tree(tmp_path)
    text = collect_text(make_collector("edac", tmp_path))
    assert ("# HELP node_edac_channel_correctable_errors_total "
            "Total correctable memory errors for this channel.\n"
            "# TYPE node_edac_channel_correctable_errors_total counter\n") in text


@pytest.mark.parametrize(("raw", "label"), [
    ("mc#0csrow#1channel#0", "mc0_csrow1_channel0"),
    ("  DIMM_A1 \n", "DIMM_A1"),
    ("CPU_SrcID#0_Ha#0_Chan#2_DIMM#0", "CPU_SrcID0_Ha0_Chan2_DIMM0"),
    ("", ""),
])
def test_format_dimm_label(raw, label):
    assert format_dimm_label(raw) == label
