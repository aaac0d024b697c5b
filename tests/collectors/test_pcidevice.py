import pytest

from pyexporter.collectors import pcidevice
from pyexporter.errors import NoDataError, ParseError
from tests.support import collect_text, make_collector, samples, symlink, write_tree
from tests.sysfs.test_pci import PCI_IDS

ROOT_PORT = "sys/devices/pci0000:00/0000:00:1c.0"
NIC = f"{ROOT_PORT}/0000:03:00.1"
LOC = 'bus="03",device="00",function="1",segment="0000"'
ROOT_LOC = 'bus="00",device="1c",function="0",segment="0000"'


def identity(path, klass="0x020000", vendor="0x8086", device="0x1521", revision="0x01"):
    return {f"{path}/class": klass + "\n", f"{path}/vendor": vendor + "\n", f"{path}/device": device + "\n",
            f"{path}/subsystem_vendor": "0x8086\n", f"{path}/subsystem_device": "0x00a3\n",
            f"{path}/revision": revision + "\n"}


def tree(tmp_path):
    write_tree(tmp_path, {
        **identity(ROOT_PORT, klass="0x060400", vendor="0x1022", device="0x1634", revision="0x00"),
        **identity(NIC),
        f"{NIC}/max_link_speed": "16.0 GT/s PCIe\n",
        f"{NIC}/current_link_speed": "2.5 GT/s PCIe\n",
        f"{NIC}/max_link_width": "8\n",
        f"{NIC}/current_link_width": "4\n",
        f"{NIC}/numa_node": "1\n",
        f"{NIC}/sriov_numvfs": "2\n",
        f"{NIC}/sriov_totalvfs": "7\n",
        f"{NIC}/sriov_drivers_autoprobe": "1\n",
        f"{NIC}/d3cold_allowed": "1\n",
        f"{NIC}/power_state": "D3hot\n",
        # The root port: link speed the kernel cannot describe, no NUMA information, no SR-IOV.
        f"{ROOT_PORT}/max_link_speed": "Unknown\n",
        f"{ROOT_PORT}/numa_node": "-1\n",
        f"{ROOT_PORT}/power_state": "D0\n",
    })
    symlink(tmp_path, "sys/bus/pci/devices/0000:00:1c.0", "../../../devices/pci0000:00/0000:00:1c.0")
    symlink(tmp_path, "sys/bus/pci/devices/0000:03:00.1", "../../../" + NIC.removeprefix("sys/"))


def test_pcidevice_devices(tmp_path):
    tree(tmp_path)
    got = samples(make_collector("pcidevice", tmp_path).collect())
    assert got['node_pcidevice_info{bus="03",class_id="0x020000",device="00",device_id="0x1521",'
               'function="1",parent_bus="00",parent_device="1c",parent_function="0",parent_segment="0000",'
               'revision="0x01",segment="0000",subsystem_device_id="0x00a3",subsystem_vendor_id="0x8086",'
               'vendor_id="0x8086"}'] == 1
    assert got[f"node_pcidevice_max_link_transfers_per_second{{{LOC}}}"] == 16e9
    assert got[f"node_pcidevice_current_link_transfers_per_second{{{LOC}}}"] == 2.5e9
    assert got[f"node_pcidevice_max_link_width{{{LOC}}}"] == 8
    assert got[f"node_pcidevice_numa_node{{{LOC}}}"] == 1
    assert got[f"node_pcidevice_sriov_numvfs{{{LOC}}}"] == 2
    assert got[f"node_pcidevice_sriov_vf_total_msix{{{LOC}}}"] == 0
    assert got[f"node_pcidevice_sriov_drivers_autoprobe{{{LOC}}}"] == 1
    assert got[f'node_pcidevice_power_state{{{LOC},state="D3hot"}}'] == 1
    assert got[f'node_pcidevice_power_state{{{LOC},state="D0"}}'] == 0
    # Unknown link values read -1, numa_node -1 is left out, a root bus parent is "*".
    assert got[f"node_pcidevice_max_link_transfers_per_second{{{ROOT_LOC}}}"] == -1
    assert got[f"node_pcidevice_current_link_width{{{ROOT_LOC}}}"] == -1
    assert got[f"node_pcidevice_d3cold_allowed{{{ROOT_LOC}}}"] == 0
    assert f"node_pcidevice_numa_node{{{ROOT_LOC}}}" not in got
    root_info = [k for k in got if k.startswith('node_pcidevice_info{bus="00"')]
    assert len(root_info) == 1 and 'parent_bus="*"' in root_info[0] and 'class_id="0x060400"' in root_info[0]
    assert len([k for k in got if k.startswith("node_pcidevice_power_state")]) == 14


def test_pcidevice_help(tmp_path):
    tree(tmp_path)
    text = collect_text(make_collector("pcidevice", tmp_path))
    assert ("# HELP node_pcidevice_info Non-numeric data from /sys/bus/pci/devices/<location>, "
            "value is always 1.\n") in text
    assert "# TYPE node_pcidevice_max_link_width gauge\n" in text


def test_pcidevice_names(tmp_path):
    tree(tmp_path)
    write_tree(tmp_path, {"pci.ids": PCI_IDS})
    got = samples(make_collector("pcidevice", tmp_path, "--collector.pcidevice.names",
                                 f"--collector.pcidevice.idsfile={tmp_path / 'pci.ids'}").collect())
    nic = next(k for k in got if k.startswith("node_pcidevice_info") and 'bus="03"' in k)
    assert 'vendor_name="Intel Corporation"' in nic
    assert 'device_name="I350 Gigabit Network Connection"' in nic
    assert 'subsystem_vendor_name="Intel Corporation"' in nic
    assert 'subsystem_device_name="Ethernet Server Adapter I350-T2"' in nic
    assert 'class_name="Ethernet controller"' in nic
    root = next(k for k in got if k.startswith("node_pcidevice_info") and 'bus="00"' in k)
    assert 'class_name="Normal decode"' in root and 'subsystem_device_name="00a3"' in root
    assert 'subsystem_vendor_name="Intel Corporation"' in root


def test_pcidevice_names_without_ids_file(tmp_path, monkeypatch):
    tree(tmp_path)
    monkeypatch.setattr(pcidevice, "DEFAULT_PCI_IDS_PATHS", (str(tmp_path / "absent.ids"),))
    got = samples(make_collector("pcidevice", tmp_path, "--collector.pcidevice.names").collect())
    nic = next(k for k in got if k.startswith("node_pcidevice_info") and 'bus="03"' in k)
    assert 'vendor_name="8086"' in nic and 'device_name="1521"' in nic
    assert 'class_name="Unknown class (020000)"' in nic


def test_pcidevice_default_ids_path(tmp_path, monkeypatch):
    tree(tmp_path)
    write_tree(tmp_path, {"hwdata/pci.ids": PCI_IDS})
    monkeypatch.setattr(pcidevice, "DEFAULT_PCI_IDS_PATHS",
                        (str(tmp_path / "misc/pci.ids"), str(tmp_path / "hwdata/pci.ids")))
    got = samples(make_collector("pcidevice", tmp_path, "--collector.pcidevice.names").collect())
    assert any('vendor_name="Intel Corporation"' in k for k in got)


def test_pcidevice_missing_identity_attribute(tmp_path):
    tree(tmp_path)
    (tmp_path / NIC / "vendor").unlink()
    with pytest.raises(NoDataError):
        list(make_collector("pcidevice", tmp_path).collect())


def test_pcidevice_broken_link(tmp_path):
    tree(tmp_path)
    symlink(tmp_path, "sys/bus/pci/devices/0000:05:00.0", "../../../devices/pci0000:00/0000:05:00.0")
    with pytest.raises(NoDataError):
        list(make_collector("pcidevice", tmp_path).collect())


@pytest.mark.parametrize(("name", "content"), [
    ("class", "garbage\n"), ("class", "\n"), ("vendor", "0x80000000\n"),
    ("max_link_speed", "8.0 Gb/s\n"), ("max_link_speed", "fast\n"), ("max_link_width", "x8\n"),
    ("numa_node", "99999999999\n"), ("sriov_numvfs", "-1\n"), ("d3cold_allowed", "yes\n"),
])
def test_pcidevice_malformed_attribute(tmp_path, name, content):
    tree(tmp_path)
    (tmp_path / NIC / name).write_text(content)
    with pytest.raises(ParseError):
        list(make_collector("pcidevice", tmp_path).collect())


def test_pcidevice_entry_not_a_link(tmp_path):
    tree(tmp_path)
    write_tree(tmp_path, {"sys/bus/pci/devices/0000:09:00.0/class": "0x020000\n"})
    with pytest.raises(ParseError):
        list(make_collector("pcidevice", tmp_path).collect())
