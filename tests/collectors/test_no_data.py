"""A collector whose source this machine does not have (here: an empty tree) reports no data, as
node_exporter's collectors return ErrNoData: the scrape serves it with success 0 and no error log.
Each collector's own tests cover the sources that are there but partial or broken."""

import pytest

from pyexporter.errors import NoDataError
from tests.support import make_collector


@pytest.mark.parametrize("name", [
    "bcachefs", "cpufreq", "dmi", "dmmultipath", "drbd", "ethtool", "fibrechannel", "hwmon", "infiniband",
    "kernel_hung", "netclass", "nfs", "nfsd", "nvme", "nvmesubsystem", "os", "pcidevice", "powersupplyclass",
    "pressure", "rapl", "schedstat", "tapestats", "thermal_zone", "udp_queues", "watchdog", "zfs",
])
def test_an_absent_source_is_no_data(tmp_path, name):
    with pytest.raises(NoDataError):
        list(make_collector(name, tmp_path).collect())
