"""pyexporter beside the real node_exporter on a tree neither was written against.

The benchmark's synthetic node (benchmarks/tree.py, small size, fixed seed) is served by both
exporters with the same collectors; every series node_exporter (Debian's 1.5.0) exposes must come out
of pyexporter with the same labels, value, HELP and TYPE. The exceptions are what changed between
1.5.0 and 1.12.1, the version pyexporter follows; each is listed with its reason, and each must still
show, so the list cannot go stale.
"""

from __future__ import annotations

import math
import os
import urllib.request
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from benchmarks import run as bench
from benchmarks.tree import generate

#: Labels 1.12.1 added to a family 1.5.0 already had.
ADDED_LABELS = {
    "node_disk_info": {"rotational"},
    "node_network_info": {"adminstate"},
    "node_nvme_info": {"cntlid"},
}
#: Families 1.12.1 has and 1.5.0 does not (new collectors' series, new netstat default fields).
NEW_FAMILIES = {
    "node_cpu_scaling_governor": "cpufreq: governors, added after 1.5.0",
    "node_edac_channel_correctable_errors_total": "edac: per-channel counts, added after 1.5.0",
    "node_netstat_TcpExt_TCPOFOQueue": "netstat: in --collector.netstat.fields' default since 1.6",
    "node_netstat_TcpExt_TCPRcvQDrop": "netstat: in --collector.netstat.fields' default since 1.6",
    "node_pressure_irq_stalled_seconds_total": "pressure: irq pressure, added after 1.5.0",
    "node_softnet_backlog_len": "softnet: newer /proc/net/softnet_stat columns",
    "node_softnet_cpu_collision_total": "softnet: newer /proc/net/softnet_stat columns",
    "node_softnet_flow_limit_count_total": "softnet: newer /proc/net/softnet_stat columns",
    "node_softnet_received_rps_total": "softnet: newer /proc/net/softnet_stat columns",
}
#: Families 1.5.0 has and 1.12.1 does not.
DROPPED_FAMILIES = {
    name: "meminfo: 1.12.1 exposes procfs's fixed Meminfo fields, not every line of /proc/meminfo"
    for name in ("node_memory_FileHugePages_bytes", "node_memory_FilePmdMapped_bytes",
                 "node_memory_Hugetlb_bytes", "node_memory_KReclaimable_bytes")
}
#: Series that differ by nature between two processes, or describe the exporter itself.
NOT_COMPARED = ("go_", "process_", "promhttp_", "python_", "node_exporter_build_info",
                "node_scrape_collector_duration_seconds", "node_time_", "node_timex_", "node_textfile_mtime")
#: Debian's node_exporter excludes ^lo$ from netdev by default (upstream excludes nothing); the same
#: flag on both keeps the loopback device in.
SAME_FLAGS = ["--collector.netdev.device-exclude=^$"]

Series = tuple[str, tuple[tuple[str, str], ...]]

pytestmark = pytest.mark.skipif(
    not os.access(bench.NODE_EXPORTER, os.X_OK),
    reason=f"{bench.NODE_EXPORTER} absent (Debian package prometheus-node-exporter)")


def parse(body: str) -> tuple[dict[Series, float], dict[str, tuple[str, str]]]:
    samples: dict[Series, float] = {}
    meta: dict[str, tuple[str, str]] = {}
    for family in text_string_to_metric_families(body):
        if family.name.startswith(NOT_COMPARED):
            continue
        meta[family.name] = (family.documentation, family.type)
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples, meta


def without_added_labels(series: Series) -> Series:
    name, labels = series
    added = ADDED_LABELS.get(name, set())
    return name, tuple(pair for pair in labels if pair[0] not in added)


@pytest.fixture(scope="module")
def scrapes(tmp_path_factory) -> Iterator[dict[str, str]]:
    work = tmp_path_factory.mktemp("differential")
    tree = str(work / "tree")
    generate(tree, bench.SMALL)
    compared = bench.comparison(bench.NODE_EXPORTER)
    flags = {name: [*known, *SAME_FLAGS] for name, known in compared.synthetic_flags.items()}
    with bench.running(bench.start_pair(compared.synthetic, bench.Roots.of_tree(tree), str(work),
                                        bench.NODE_EXPORTER, flags)) as pair:
        yield {exporter.name: urllib.request.urlopen(f"http://127.0.0.1:{exporter.port}/metrics",
                                                     timeout=30).read().decode()
               for exporter in pair}


@pytest.fixture(scope="module")
def parsed(scrapes):
    return parse(scrapes["pyexporter"]), parse(scrapes["node_exporter"])


def test_the_same_collectors_succeed_in_both(scrapes):
    py = bench.collector_success(scrapes["pyexporter"].encode())
    ne = bench.collector_success(scrapes["node_exporter"].encode())
    assert py == ne
    # Most have data on this tree (bonding, nfsd, ... find none in both).
    assert sum(py.values()) > 30


def test_node_exporters_series_all_come_out_of_pyexporter_with_the_same_values(parsed):
    (py, _), (ne, _) = parsed
    py_by_old_labels = {without_added_labels(series): value for series, value in py.items()}
    missing, wrong = [], []
    for series, value in ne.items():
        if series[0] in DROPPED_FAMILIES:
            continue
        got = py_by_old_labels.get(series)
        if got is None:
            missing.append(series)
        elif got != value and not (math.isnan(got) and math.isnan(value)):
            wrong.append((series, got, value))
    assert missing == []
    assert wrong == []


def test_pyexporter_adds_only_what_1_12_1_added(parsed):
    (py, _), (ne, _) = parsed
    extra = sorted({name for name, labels in py if (name, labels) not in ne and name not in NEW_FAMILIES
                    and name not in ADDED_LABELS})
    assert extra == []


def test_help_and_type_are_node_exporters(parsed):
    (_, py_meta), (_, ne_meta) = parsed
    assert {name: (py_meta.get(name), meta) for name, meta in ne_meta.items()
            if name in py_meta and py_meta[name] != meta} == {}


def test_the_listed_version_changes_all_show(parsed):
    # A listed change that no longer shows on this tree is a stale exception: remove it.
    (py, _), (ne, _) = parsed
    py_names, ne_names = {name for name, _ in py}, {name for name, _ in ne}
    assert sorted(set(NEW_FAMILIES) - (py_names - ne_names)) == []
    assert sorted(set(DROPPED_FAMILIES) - (ne_names - py_names)) == []
    for name, added in ADDED_LABELS.items():
        assert any(name == series and added <= {k for k, _ in labels} for series, labels in py), name
