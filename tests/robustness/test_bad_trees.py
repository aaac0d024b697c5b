"""The real server on a fixture tree with one input broken at a time.

Each time: HTTP 200 within the scrape timeout, output that parses (strictly:
prometheus_client, promtool, no duplicate series, valid UTF-8), every
collector that does not read the broken input still reports success with all
its metric families, the broken collector reports success 0 (or, where
node_exporter skips the bad entry, still serves the rest), and the process
stays up, answers the next scrape, and recovers once the input is repaired.

One exporter serves the whole module: the tree is broken, scraped, and
rebuilt between cases, which also proves that nothing sticks.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.robustness.exporter import Exporter, Exposition, check_exposition, existing_collectors, known_flags
from tests.robustness.tree import TREE_COLLECTORS, build_tree, tree_flags

HEADERS = {"X-Prometheus-Scrape-Timeout-Seconds": "10"}


@dataclass(frozen=True)
class Case:
    id: str
    break_tree: Callable[[Path], None]
    #: Collectors that must report node_scrape_collector_success 0.
    broken: frozenset[str] = frozenset()
    #: Collectors that may fail, or skip the bad entry and serve the rest of their families.
    degraded: frozenset[str] = frozenset()
    #: Families a degraded collector may lose (those only the broken input fed).
    may_lose: frozenset[str] = frozenset()
    #: Series that must be served with these values.
    expect: tuple[tuple[str, float], ...] = ()
    #: Text the served body must contain.
    body_contains: tuple[str, ...] = ()

    @property
    def readers(self) -> frozenset[str]:
        return self.broken | self.degraded


def _write(rel: str, content: bytes) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        path.unlink()
        path.write_bytes(content)
    return apply


def _truncate_stat(root: Path) -> None:
    path = root / "proc/stat"
    data = path.read_bytes()
    # Cut in the middle of the softirq line: the file a reader sees when it races a writer.
    path.write_bytes(data[:data.index(b"softirq") + 20])


def _directory(rel: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        (root / rel).unlink()
        (root / rel).mkdir()
        (root / rel / "inner").write_text("1\n")
    return apply


def _fifo(rel: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        (root / rel).unlink()
        os.mkfifo(root / rel)  # nobody ever writes: a blocking read would never return
    return apply


def _huge_line(rel: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        with (root / rel).open("wb") as f:
            f.write(b"pgfault ")
            chunk = b"9" * (1 << 20)
            for _ in range(50):
                f.write(chunk)
            f.write(b"\n")
    return apply


def _symlink(rel: str, target: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        if path.is_symlink() or path.exists():
            path.unlink()
        os.symlink(target, path)
    return apply


def _replace_attr(rel: str, content: bytes) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        target = (root / rel).resolve()
        target.write_bytes(content)
    return apply


CASES = [
    Case("truncated-proc-stat", _truncate_stat, broken=frozenset({"stat", "cpu"})),
    Case("garbage-in-meminfo", _write("proc/meminfo", b"MemTotal: \xff\xfe lots kB\n\x00\x01\x02\n"),
         broken=frozenset({"meminfo"})),
    Case("non-numeric-net-dev", _write("proc/net/dev", (
        b"Inter-|   Receive                                                |  Transmit\n"
        b" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo "
        b"colls carrier compressed\n"
        b"  eth0: many  lots zero 0 0 0 0 0 x y z 0 0 0 0 0\n")), broken=frozenset({"netdev"})),
    Case("empty-loadavg", _write("proc/loadavg", b""), broken=frozenset({"loadavg"})),
    Case("directory-for-meminfo", _directory("proc/meminfo"), broken=frozenset({"meminfo"})),
    Case("dangling-symlink-in-class-net",
         _symlink("sys/class/net/ghost0", "../../devices/virtual/net/ghost0"),
         degraded=frozenset({"netclass", "netdev"})),
    Case("symlink-loop-in-class-net", _symlink("sys/class/net/loop0", "loop0"),
         degraded=frozenset({"netclass", "netdev"})),
    Case("symlink-loop-for-meminfo", _symlink("proc/meminfo", "meminfo"), broken=frozenset({"meminfo"})),
    Case("fifo-for-loadavg", _fifo("proc/loadavg"), broken=frozenset({"loadavg"})),
    Case("fifo-for-textfile", _fifo("textfile/robustness.prom"), degraded=frozenset({"textfile"}),
         may_lose=frozenset({"robustness_textfile_value"}), expect=(("node_textfile_scrape_error", 1.0),)),
    Case("50MB-line-in-vmstat", _huge_line("proc/vmstat"), broken=frozenset({"vmstat"})),
    Case("nul-bytes-in-vmstat", _write("proc/vmstat", b"pgfault 12\x0034\npgmajfault \x00\n"),
         broken=frozenset({"vmstat"})),
    Case("nul-bytes-in-file-nr", _write("proc/sys/fs/file-nr", b"\x00\x00\x00\x00"),
         broken=frozenset({"filefd"})),
    Case("invalid-utf8-in-fc-attribute", _replace_attr("sys/class/fc_host/host0/symbolic_name",
                                                       b"Emulex \xff\xfe\xc3( FW\n"),
         degraded=frozenset({"fibrechannel"}), body_contains=("\ufffd",)),
    Case("invalid-utf8-in-net-attribute", _replace_attr("sys/class/net/eth0/address", b"\xff\xfe:\x80\n"),
         degraded=frozenset({"netclass"}), body_contains=("\ufffd",)),
    Case("invalid-utf8-in-textfile", _write("textfile/robustness.prom",
                                            b'robustness_textfile_value{job="\xff\xfe"} 1\n'),
         degraded=frozenset({"textfile"}), may_lose=frozenset({"robustness_textfile_value"})),
    Case("garbage-mountinfo", _write("proc/1/mountinfo", b"\x00garbage\n1 2 3\n"),
         broken=frozenset({"filesystem"})),
]


@dataclass
class Baseline:
    exposition: Exposition
    #: collector -> the family names it serves alone (?collect[]=name)
    families: dict[str, set[str]]


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    return build_tree(tmp_path_factory.mktemp("tree"))


@pytest.fixture(scope="module")
def enabled() -> list[str]:
    return existing_collectors(TREE_COLLECTORS)


@pytest.fixture(scope="module")
def exporter(tree, enabled, tmp_path_factory):
    flags = ["--collector.disable-defaults", *(f"--collector.{name}" for name in enabled), *tree_flags(tree)]
    with Exporter(known_flags(flags), tmp_path_factory.mktemp("log") / "exporter.log") as exp:
        yield exp


@pytest.fixture(scope="module")
def baseline(exporter, enabled) -> Baseline:
    scrape = exporter.scrape(headers=HEADERS)
    assert scrape.status == 200
    exposition = check_exposition(scrape.body)
    success = exposition.success()
    # The tree is healthy: every collector it feeds succeeds, or the tree (not the test) is wrong.
    failed = {name: success.get(name) for name in enabled if success.get(name) != 1.0}
    assert failed == {}, exporter.log()[-3000:]
    families = {}
    for name in enabled:
        alone = exporter.scrape(f"/metrics?collect[]={name}", headers=HEADERS)
        assert alone.status == 200
        names = check_exposition(alone.body).names()
        families[name] = {n for n in names
                          if not n.startswith(("node_scrape_collector_", "process_", "python_", "promhttp_",
                                               "pyexporter_", "node_exporter_build_info"))}
    return Baseline(exposition, families)


def _assert_healthy(exposition: Exposition, baseline: Baseline, skip: frozenset[str]) -> None:
    success = exposition.success()
    names = exposition.names()
    for collector, families in baseline.families.items():
        if collector in skip:
            continue
        assert success.get(collector) == 1.0, f"untouched collector {collector} failed"
        missing = families - names
        assert not missing, f"untouched collector {collector} lost {sorted(missing)}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_one_broken_input(case, tree, exporter, baseline, enabled):
    if not case.readers & set(enabled):
        pytest.skip(f"none of {sorted(case.readers)} exists yet")
    try:
        case.break_tree(tree)
        scrape = exporter.scrape(headers=HEADERS)
        assert scrape.status == 200
        exposition = check_exposition(scrape.body)
        success = exposition.success()
        for name in case.broken & set(enabled):
            assert success.get(name) == 0.0, f"{name} should report failure on {case.id}"
            assert f'node_scrape_collector_duration_seconds{{collector="{name}"}}' in exposition.series
        for name in case.degraded & set(enabled):
            if success.get(name) == 1.0:
                # Skipping the bad entry is fine; losing the good ones is not.
                lost = baseline.families[name] - exposition.names() - case.may_lose
                assert not lost, f"{name} reported success but lost {sorted(lost)}"
        for series, value in case.expect:
            assert exposition.series.get(series) == value, series
        for text in case.body_contains:
            assert text in scrape.text, f"{text!r} not served"
        _assert_healthy(exposition, baseline, case.readers)

        assert exporter.alive(), exporter.log()[-3000:]
        again = exporter.scrape(headers=HEADERS)
        assert again.status == 200
        check_exposition(again.body)
    finally:
        build_tree(tree)
    repaired = exporter.scrape(headers=HEADERS)
    assert repaired.status == 200
    _assert_healthy(check_exposition(repaired.body), baseline, frozenset())


def test_no_tracebacks_for_bad_input(exporter, baseline):
    # Bad input is an expected condition: reported in one log line, not a crash dump.
    assert exporter.alive()
    assert "Traceback" not in exporter.log()
