"""ExporterMetrics writes what prometheus-client's process, gc and platform collectors wrote."""

import pytest

from pyexporter.exposition import render_text
from pyexporter.metrics import MetricFamily
from pyexporter.selfmetrics import ExporterMetrics

prometheus_client = pytest.importorskip("prometheus_client")


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


def test_same_families_help_types_and_labels():
    ours = [f for f in ExporterMetrics().families() if not f.name.startswith("promhttp_")]
    assert _shape(ours) == _shape(_client_families())


def test_same_values_where_they_cannot_move():
    ours = {f.name: f for f in ExporterMetrics().families()}
    theirs = {f.name: f for f in _client_families()}
    for name in ("process_max_fds", "process_start_time_seconds", "python_info"):
        assert ours[name].samples[0].value == pytest.approx(theirs[name].samples[0].value), name
    assert ours["process_resident_memory_bytes"].samples[0].value > 1e6
    assert b"python_info{implementation=" in render_text(list(ours.values()))
