import pytest

from pyexporter.collectors.dmi import dmi_labels
from pyexporter.errors import NoDataError
from tests.support import collect_text, make_collector, samples, write_tree

ID = "sys/class/dmi/id"


def test_dmi_collector(tmp_path):
    write_tree(tmp_path, {
        f"{ID}/bios_date": "04/12/2021\n", f"{ID}/bios_vendor": "Dell Inc.\n",
        f"{ID}/chassis_asset_tag": "\n", f"{ID}/chassis_type": "23\n", f"{ID}/sys_vendor": "Dell Inc.\n",
        f"{ID}/product_version": b"\xef\xbf\xbd\x1c[\xff\n",
        f"{ID}/product_serial": None,  # root-only on real machines: unreadable
        f"{ID}/modalias": "dmi:bvnDell\n", f"{ID}/uevent": "MODALIAS=dmi\n",
    })
    got = samples(make_collector("dmi", tmp_path).collect())
    assert got == {
        'node_dmi_info{bios_date="04/12/2021",bios_vendor="Dell Inc.",chassis_asset_tag="",'
        'product_version="\ufffd\x1c[\ufffd",system_vendor="Dell Inc."}': 1,
    }
    assert "# HELP node_dmi_info A metric with a constant '1' value labeled by bios_date, bios_release," in \
        collect_text(make_collector("dmi", tmp_path))


def test_dmi_only_unknown_files(tmp_path):
    write_tree(tmp_path, {f"{ID}/modalias": "x\n", f"{ID}/power": None})
    with pytest.raises(NoDataError):
        list(make_collector("dmi", tmp_path).collect())


def test_dmi_labels():
    long = b"x" * 200
    assert dmi_labels({"board_name": b"  07PXPY \n", "chassis_type": b"3", "product_sku": long}) == {
        "board_name": "07PXPY", "product_sku": "x" * 128}
