"""Collectors with nothing to report. One whose source this machine does not have (here: an empty
tree) reports no data, as node_exporter's collectors return ErrNoData: the scrape serves it with success
0 and no error log. Others, as in node_exporter, succeed with no samples when their source is absent or
holds nothing. Each collector's own tests cover the sources that are there but partial or broken."""

import pytest

from pyexporter.errors import NoDataError
from tests.support import make_collector, samples, write_tree

MC3 = "sys/devices/system/edac/mc/mc3"


@pytest.mark.parametrize("name", [
    "bcachefs", "cpufreq", "dmi", "dmmultipath", "drbd", "ethtool", "fibrechannel", "hwmon", "infiniband",
    "kernel_hung", "netclass", "nfs", "nfsd", "nvme", "nvmesubsystem", "os", "pcidevice", "powersupplyclass",
    "pressure", "rapl", "schedstat", "tapestats", "thermal_zone", "udp_queues", "watchdog", "zfs",
])
def test_an_absent_source_is_no_data(tmp_path, name):
    with pytest.raises(NoDataError):
        list(make_collector(name, tmp_path).collect())


@pytest.mark.parametrize(("name", "files"), [
    ("bcache", {}),
    ("btrfs", {}),
    ("cpu_vulnerabilities", {}),
    ("drm", {}),
    ("edac", {}),
    ("ksmd", {}),
    ("xfs", {}),
    ("bonding", {"sys/class/net/bonding_masters": ""}),
    ("buddyinfo", {"proc/buddyinfo": ""}),
    ("cgroups", {"proc/cgroups": ""}),
    ("dmmultipath", {"sys/block/sda/size": "8\n"}),  # no dm device
    ("drbd", {"proc/drbd": ""}),
    ("edac", {f"{MC3}/ce_count": "", f"{MC3}/ue_count": "\n"}),
    ("fibrechannel", {"sys/class/fc_host": None}),
    ("infiniband", {"sys/class/infiniband": None}),
    ("slabinfo", {"proc/slabinfo": ""}),
    ("swap", {"proc/swaps": ""}),
    ("swap", {"proc/swaps": "Filename\tType\tSize\tUsed\tPriority\n"}),  # no swap configured
])
def test_nothing_there_is_no_samples(tmp_path, name, files):
    write_tree(tmp_path, files)
    assert samples(make_collector(name, tmp_path).collect()) == {}
