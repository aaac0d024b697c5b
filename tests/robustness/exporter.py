"""The real exporter as a subprocess on a loopback port, and strict checks of what it serves."""

from __future__ import annotations

import http.client
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families

from benchmarks.process import ExporterProcess
from pyexporter.cli import build_parser
from pyexporter.loader import load_collectors

#: Prometheus's default scrape timeout; every scrape a test makes must be answered within it.
SCRAPE_TIMEOUT = 10.0


@dataclass
class Scrape:
    status: int
    headers: dict[str, str]
    body: bytes
    elapsed: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class Exporter(ExporterProcess):
    """The exporter process, scraped over HTTP/1.1 on a fresh connection per request."""

    def start(self, timeout: float = 30.0) -> Exporter:
        super().start(timeout)
        return self

    def scrape(self, path: str = "/metrics", headers: Mapping[str, str] | None = None,
               timeout: float = SCRAPE_TIMEOUT) -> Scrape:
        """One GET on a fresh connection; raises (socket.timeout) when not answered within `timeout`."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        start = time.monotonic()
        try:
            conn.request("GET", path, headers=dict(headers or {}))
            resp = conn.getresponse()
            body = resp.read()
            return Scrape(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body,
                          time.monotonic() - start)
        finally:
            conn.close()

    def __enter__(self) -> Exporter:
        return self.start()


# -- what a scrape must look like ------------------------------------------------------------------


@dataclass
class Exposition:
    #: family name -> type, as prometheus_client parsed it
    types: dict[str, str] = field(default_factory=dict)
    #: series ('name{a="b",...}' with labels sorted) -> value
    series: dict[str, float] = field(default_factory=dict)

    def success(self) -> dict[str, float]:
        """node_scrape_collector_success per collector."""
        prefix = 'node_scrape_collector_success{collector="'
        return {key[len(prefix):-2]: value for key, value in self.series.items() if key.startswith(prefix)}

    def names(self) -> set[str]:
        return {key.split("{", 1)[0] for key in self.series}


def series_key(name: str, labels: Mapping[str, str]) -> str:
    if not labels:
        return name
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}"


def check_exposition(body: bytes) -> Exposition:
    """Parse a text-format body strictly: valid UTF-8, no duplicate series, one TYPE per family,
    accepted by prometheus_client's parser and (when installed) by promtool."""
    text = body.decode("utf-8")  # raises on invalid UTF-8
    out = Exposition()
    for family in text_string_to_metric_families(text):
        assert family.name not in out.types, f"family {family.name} appears twice"
        out.types[family.name] = family.type
        for sample in family.samples:
            key = series_key(sample.name, sample.labels)
            assert key not in out.series, f"duplicate series {key}"
            out.series[key] = sample.value
    type_lines = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")]
    assert len(type_lines) == len(set(type_lines)), "a family has two TYPE lines"
    promtool_check(body)
    return out


def promtool_check(body: bytes) -> None:
    """`promtool check metrics`: exit 0 or 3 (lint remarks on names node_exporter itself uses) is fine;
    a parse error exits 1. Skipped silently when promtool is not installed."""
    promtool = shutil.which("promtool")
    if promtool is None:
        return
    result = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True, timeout=60)
    assert result.returncode in (0, 3), result.stderr.decode(errors="replace")[-2000:]
    assert b"error while linting" not in result.stderr, result.stderr.decode(errors="replace")[-2000:]


def existing_collectors(wanted: Sequence[str]) -> list[str]:
    registry = load_collectors()
    return [name for name in wanted if name in registry]


def known_flags(flags: Sequence[str]) -> list[str]:
    """The flags this build knows (collectors still being written add theirs when they land)."""
    parser, _ = build_parser()
    known = set(parser._option_string_actions)
    return [flag for flag in flags if flag.split("=", 1)[0] in known]
