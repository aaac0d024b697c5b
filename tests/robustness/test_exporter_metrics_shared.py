"""The exporter's own families are read once per collection, not once per request.

Under 50 concurrent scrapers, reading /proc/self and listing the open fds for
every request took 40 % of the event loop (benchmarks/load.py, profiled);
requests that share a collection share that snapshot (and the rendered body).
"""

from __future__ import annotations

import asyncio
import dataclasses
import re

import pytest
from aiohttp.test_utils import TestClient, TestServer

from pyexporter.metrics import gauge
from pyexporter.registry import Collector
from pyexporter.selfmetrics import ExporterMetrics
from pyexporter.server import build_app
from tests.support import make_settings


class Simple(Collector):
    name = "simple"

    def __init__(self, settings):
        super().__init__(settings)
        self.desc = gauge("node_simple_value", "A value.")

    def collect(self):
        yield self.desc.one(1)


@pytest.fixture
def calls(monkeypatch):
    counted = []
    original = ExporterMetrics.families

    def counting(self):
        counted.append(1)
        return original(self)

    monkeypatch.setattr(ExporterMetrics, "families", counting)
    return counted


async def client_for(tmp_path):
    settings = dataclasses.replace(make_settings(tmp_path), collector_timeout=5.0)
    client = TestClient(TestServer(build_app(settings, {"simple": Simple(settings)}), host="127.0.0.1"))
    await client.start_server()
    return client


def family_order(body: str) -> list[str]:
    return re.findall(r"^# TYPE (\S+)", body, re.MULTILINE)


@pytest.mark.parametrize("accept", ["text/plain", "application/openmetrics-text;version=1.0.0"])
async def test_requests_sharing_a_collection_share_the_process_snapshot(tmp_path, calls, accept):
    client = await client_for(tmp_path)
    try:
        responses = await asyncio.gather(*(client.get("/metrics", headers={"Accept": accept})
                                           for _ in range(5)))
        bodies = [await r.text() for r in responses]
        assert all(r.status == 200 for r in responses)
        assert len(calls) == 1
        for body in bodies:
            assert "process_resident_memory_bytes" in body
            assert "promhttp_metric_handler_requests_in_flight" in body
            assert "python_info" in body
            names = family_order(body)
            assert len(names) == len(set(names))
            # In name order, as before: process_*, then promhttp_*, then python_*.
            groups = [n.split("_", 1)[0] for n in names if n.startswith(("process_", "promhttp_", "python_"))]
            assert groups == sorted(groups) and set(groups) == {"process", "promhttp", "python"}
        # A later collection reads them again: the next request counts the five before it.
        after = await (await client.get("/metrics", headers={"Accept": accept})).text()
        counted = r'^promhttp_metric_handler_requests_total\{code="200"\} 5(\.0)?$'
        assert re.search(counted, after, re.MULTILINE)
        assert len(calls) == 2  # a new collection reads a new snapshot
    finally:
        await client.close()
