"""The exporter's own metrics are named, typed and HELPed as the libraries node_exporter's users know.

process_*: exactly the families client_golang's process collector gives node_exporter 1.12.1 (its
e2e-output.txt in ../shared/conformance), with the same HELP and TYPE. python_* (in place of go_*): as
prometheus-client's gc and platform collectors write them; so do the process_* families that
prometheus-client has as well.
"""

from __future__ import annotations

import re
import resource
import tarfile

import pytest

from pyexporter.exposition import render_text
from pyexporter.metrics import MetricFamily
from pyexporter.selfmetrics import ExporterMetrics
from tests.support import CONFORMANCE

prometheus_client = pytest.importorskip("prometheus_client")

FIXTURES = CONFORMANCE / "fixtures.tar.gz"
E2E_OUTPUT = "collector/fixtures/e2e-output.txt"


def _client_families() -> list[MetricFamily]:
    """The families as the earlier implementation built them from prometheus-client."""
    from prometheus_client import gc_collector, platform_collector, process_collector
    from prometheus_client.registry import CollectorRegistry

    registry = CollectorRegistry(auto_describe=False)
    process_collector.ProcessCollector(registry=registry)
    gc_collector.GCCollector(registry=registry)
    platform_collector.PlatformCollector(registry=registry)
    out = []
    for metric in registry.collect():
        name = metric.name + ("_total" if metric.type == "counter" else "")
        fam = MetricFamily(name, metric.documentation, metric.type)
        for sample in metric.samples:
            if not sample.name.endswith("_created"):
                fam.add_sample(sample.name, sample.labels, sample.value)
        out.append(fam)
    return sorted(out, key=lambda f: f.name)


def _shape(families: list[MetricFamily]) -> list[tuple]:
    return [(f.name, f.help, f.type, [(s.name, s.labels) for s in f.samples]) for f in families]


def _help_and_type(text: str, prefix: str) -> dict[str, tuple[str, str]]:
    helps = dict(re.findall(rf"^# HELP ({prefix}\S*) (.*)$", text, re.M))
    types = dict(re.findall(rf"^# TYPE ({prefix}\S*) (\S+)$", text, re.M))
    assert helps.keys() == types.keys()
    return {name: (helps[name], types[name]) for name in helps}


@pytest.mark.skipif(not FIXTURES.exists(), reason=f"{FIXTURES} is absent")
def test_process_families_are_client_golangs():
    with tarfile.open(FIXTURES) as archive:
        member = archive.extractfile(E2E_OUTPUT)
        assert member is not None
        reference = _help_and_type(member.read().decode(), "process_")
    assert len(reference) >= 9
    ours = _help_and_type(render_text(ExporterMetrics().families()).decode(), "process_")
    assert ours == reference


def test_same_families_help_types_and_labels_as_prometheus_client():
    theirs = _client_families()
    names = {f.name for f in theirs}
    ours = [f for f in ExporterMetrics().families() if f.name in names]
    assert _shape(ours) == _shape(theirs)
    python = {f.name for f in ExporterMetrics().families() if f.name.startswith("python_")}
    assert python == {n for n in names if n.startswith("python_")}


def test_same_values_where_they_cannot_move():
    ours = {f.name: f for f in ExporterMetrics().families()}
    theirs = {f.name: f for f in _client_families()}
    for name in ("process_max_fds", "process_start_time_seconds", "python_info"):
        assert ours[name].samples[0].value == pytest.approx(theirs[name].samples[0].value), name
    assert ours["process_resident_memory_bytes"].samples[0].value > 1e6
    assert b"python_info{implementation=" in render_text(list(ours.values()))


def test_limits_are_this_process_soft_limits():
    ours = {f.name: f.samples[0].value for f in ExporterMetrics().families()}
    assert ours["process_max_fds"] == resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    address_space = resource.getrlimit(resource.RLIMIT_AS)[0]
    # procfs reads "unlimited" as the largest uint64.
    expected = 2.0**64 - 1 if address_space == resource.RLIM_INFINITY else address_space
    assert ours["process_virtual_memory_max_bytes"] == expected


def _ip_octets() -> tuple[int, int]:
    """IpExt InOctets/OutOctets of this network namespace, read here with a plain split."""
    lines = open("/proc/self/net/netstat").read().splitlines()
    for names, values in zip(lines[::2], lines[1::2], strict=True):
        if names.startswith("IpExt:"):
            row = dict(zip(names.split(), values.split(), strict=True))
            return int(row["InOctets"]), int(row["OutOctets"])
    raise AssertionError("no IpExt in /proc/self/net/netstat")


def test_network_bytes_are_this_namespaces_ip_octets():
    before = _ip_octets()
    ours = {f.name: f.samples[0].value for f in ExporterMetrics().families()}
    after = _ip_octets()
    assert before[0] <= ours["process_network_receive_bytes_total"] <= after[0]
    assert before[1] <= ours["process_network_transmit_bytes_total"] <= after[1]
