"""node_exporter 1.12.1's own fixture tree and output, scored by ../shared/conformance/check.

FINISHED_GROUPS and FINISHED_COLLECTORS only grow: a group listed here must
stay exact, a collector listed here must report success on the suite.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.support import CONFORMANCE, REPO

FINISHED_GROUPS = [
    "load1", "load5", "load15", "nfs", "nfsd", "zfs", "ipvs", "kernel", "schedstat",
    "cpu~^node_cpu_(frequency|scaling|vulnerabilities)", "memory~^node_memory_numa", "procs",
    "context", "forks", "boot", "intr", "vmstat", "os", "time", "filefd", "entropy", "pressure",
    "softirqs=^node_softirqs_total$", "edac", "fibrechannel", "infiniband", "bonding", "bcache",
    "bcachefs", "btrfs", "xfs", "dmmultipath~^node_dmmultipath_(path_state|device_paths)",
    "textfile", "hwmon", "thermal", "cooling", "power", "tape", "nvme", "dmi",
    "cpu=^node_cpu_(frequency|scaling)", "network~^node_network_(receive|transmit)_", "netstat",
    "arp", "nf", "sockstat", "softnet", "udp", "disk", "md",
    "network=^node_network_(receive|transmit)_.*_total$", "promhttp_metric_handler_requests_total",
    "promhttp_metric_handler_errors_total", "promhttp_metric_handler_requests_in_flight",
    "buddyinfo", "cgroups", "drbd", "interrupts", "lnstat", "mountstats", "processes", "slabinfo",
    "sysctl", "xfrm", "zoneinfo", "memory", "softirqs", "pcidevice", "ksmd", "qdisc", "wifi",
    "cpu=^node_cpu_vulnerabilities",
]
FINISHED_COLLECTORS = [
    "loadavg", "nfs", "nfsd", "zfs", "ipvs", "kernel_hung", "schedstat", "cpu", "meminfo", "stat",
    "vmstat", "os", "time", "filefd", "entropy", "pressure", "edac", "fibrechannel", "infiniband",
    "bonding", "bcache", "bcachefs", "btrfs", "xfs", "dmmultipath", "textfile", "netclass", "hwmon",
    "thermal_zone", "powersupplyclass", "rapl", "watchdog", "tapestats", "nvme", "dmi", "cpufreq",
    "arp", "conntrack", "diskstats", "mdadm", "netdev", "netstat", "sockstat", "softnet",
    "udp_queues", "buddyinfo", "cgroups", "drbd", "interrupts", "lnstat", "meminfo_numa",
    "mountstats", "processes", "slabinfo", "softirqs", "sysctl", "xfrm", "zoneinfo",
    "cpu_vulnerabilities", "ksmd", "pcidevice", "qdisc", "wifi",
]

CHECK = CONFORMANCE / "check"
pytestmark = pytest.mark.skipif(not CHECK.exists(), reason="../shared/conformance is not present")


@pytest.fixture(scope="module")
def conformance_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("conformance") / "metrics.txt"
    args = [sys.executable, str(CHECK), "--exporter", f"{sys.executable} -m pyexporter",
            "--timeout", "60", "--save", str(out)]
    for group in FINISHED_GROUPS:
        args += ["--require", group]
    proc = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=180)
    return proc, out.read_text() if out.exists() else ""


def test_finished_groups_are_exact(conformance_run):
    proc, _ = conformance_run
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_parse_problems(conformance_run):
    proc, _ = conformance_run
    summary = [line for line in proc.stdout.splitlines() if line.startswith("conformance:")]
    assert summary and summary[0].endswith("parse problems 0"), proc.stdout


@pytest.mark.parametrize("collector", FINISHED_COLLECTORS)
def test_finished_collectors_succeed(conformance_run, collector):
    _, metrics = conformance_run
    assert re.search(rf'^node_scrape_collector_success\{{collector="{collector}"\}} 1$', metrics, re.M), (
        f"{collector} did not report success on the conformance tree")
