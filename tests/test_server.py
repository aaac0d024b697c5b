"""The HTTP server with aiohttp's test client: formats, filters, limits, isolation, timeouts."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gzip
import threading
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from pyexporter.errors import ConfigError, NoDataError
from pyexporter.metrics import counter, gauge
from pyexporter.registry import Collector
from pyexporter.server import build_app, parse_listen_address
from tests.support import make_settings


class FakeCollector(Collector):
    """A collector whose behaviour the test sets; counts its calls."""

    def __init__(self, settings, name, behaviour="ok", block: threading.Event | None = None):
        super().__init__(settings)
        self.name = name
        self.behaviour = behaviour
        self.block = block
        self.calls = 0
        self.desc = gauge(f"node_fake_{name}_value", f"A {name} value.", "kind")
        self.total = counter(f"node_fake_{name}_events_total", f"Events seen by {name}.")

    def collect(self):
        self.calls += 1
        if self.block is not None:
            self.block.wait(10)
        if self.behaviour == "raise":
            raise RuntimeError("boom")
        if self.behaviour == "nodata":
            raise NoDataError("absent")
        yield self.desc.family().add(1.5, "a").add(2, 'q"uo\\te')
        yield self.total.one(7)


@pytest.fixture
def settings(tmp_path):
    return dataclasses.replace(make_settings(tmp_path), collector_timeout=1.0)


@contextlib.asynccontextmanager
async def serving(settings, collectors, *, release: threading.Event | None = None,
                  **client_args) -> AsyncIterator[TestClient]:
    """aiohttp's test client of the app serving `collectors`, closed afterwards (after setting
    `release`, so that the collectors it blocks end with the test)."""
    client = TestClient(TestServer(build_app(settings, collectors), host="127.0.0.1"), **client_args)
    await client.start_server()
    try:
        yield client
    finally:
        if release is not None:
            release.set()
        await client.close()


def fakes(settings, **behaviours):
    return {name: FakeCollector(settings, name, b) for name, b in behaviours.items()}


async def test_text_format(settings):
    async with serving(settings, fakes(settings, alpha="ok")) as client:
        resp = await client.get("/metrics")
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
        body = await resp.text()
        assert "# HELP node_fake_alpha_value A alpha value.\n# TYPE node_fake_alpha_value gauge\n" in body
        assert 'node_fake_alpha_value{kind="a"} 1.5\n' in body
        assert 'node_fake_alpha_value{kind="q\\"uo\\\\te"} 2\n' in body
        assert "node_fake_alpha_events_total 7\n" in body
        assert 'node_scrape_collector_success{collector="alpha"} 1\n' in body
        assert 'node_scrape_collector_duration_seconds{collector="alpha"} ' in body
        # client_golang counts the scrape after it is served: the first one sees 0 and itself in flight.
        assert 'promhttp_metric_handler_requests_total{code="200"} 0\n' in body
        assert "promhttp_metric_handler_requests_in_flight 1\n" in body
        assert "process_resident_memory_bytes " in body
        body2 = await (await client.get("/metrics")).text()
        assert 'promhttp_metric_handler_requests_total{code="200"} 1\n' in body2


async def test_openmetrics_format(settings):
    async with serving(settings, fakes(settings, alpha="ok")) as client:
        resp = await client.get("/metrics", headers={
            "Accept": "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"})
        assert resp.headers["Content-Type"].startswith("application/openmetrics-text; version=1.0.0")
        body = await resp.text()
        assert body.endswith("# EOF\n") and body.count("# EOF") == 1
        assert "# TYPE node_fake_alpha_events counter\nnode_fake_alpha_events_total 7.0\n" in body
        assert 'node_fake_alpha_value{kind="a"} 1.5\n' in body
        assert 'node_scrape_collector_success{collector="alpha"} 1.0\n' in body


async def test_gzip(settings):
    async with serving(settings, fakes(settings, alpha="ok"), auto_decompress=False) as client:
        resp = await client.get("/metrics", headers={"Accept-Encoding": "gzip"})
        assert resp.headers["Content-Encoding"] == "gzip"
        body = gzip.decompress(await resp.read()).decode()
        assert 'node_fake_alpha_value{kind="a"} 1.5\n' in body
        plain = await client.get("/metrics", skip_auto_headers=["Accept-Encoding"])
        assert "Content-Encoding" not in plain.headers


async def test_collect_and_exclude_filters(settings):
    async with serving(settings, fakes(settings, alpha="ok", beta="ok")) as client:
        body = await (await client.get("/metrics?collect[]=alpha")).text()
        assert "node_fake_alpha_value" in body and "node_fake_beta_value" not in body
        assert 'collector="beta"' not in body
        body = await (await client.get("/metrics?exclude[]=alpha")).text()
        assert "node_fake_alpha_value" not in body and "node_fake_beta_value" in body

        both = await client.get("/metrics?collect[]=alpha&exclude[]=beta")
        assert both.status == 400
        assert "not allowed" in await both.text()
        unknown = await client.get("/metrics?collect[]=nosuch")
        assert unknown.status == 400
        assert "missing collector: nosuch" in await unknown.text()
        disabled = await client.get("/metrics?collect[]=loadavg")
        assert disabled.status == 400
        assert "disabled collector: loadavg" in await disabled.text()


async def test_landing_page_and_404(settings):
    async with serving(settings, fakes(settings, alpha="ok")) as client:
        resp = await client.get("/")
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/html")
        assert '<a href="/metrics">' in await resp.text()
        assert (await client.get("/nope")).status == 404


async def test_failing_collector_is_isolated(settings):
    async with serving(settings, fakes(settings, good="ok", bad="raise", gone="nodata")) as client:
        resp = await client.get("/metrics")
        assert resp.status == 200
        body = await resp.text()
        assert 'node_fake_good_value{kind="a"} 1.5' in body
        assert 'node_scrape_collector_success{collector="good"} 1\n' in body
        assert 'node_scrape_collector_success{collector="bad"} 0\n' in body
        assert 'node_scrape_collector_success{collector="gone"} 0\n' in body
        assert "node_fake_bad_value" not in body


async def test_slow_collector_times_out_and_is_not_restarted(settings):
    release = threading.Event()
    collectors = fakes(settings, fast="ok")
    slow = FakeCollector(settings, "slow", block=release)
    collectors["slow"] = slow
    settings = dataclasses.replace(settings, collector_timeout=0.5)
    async with serving(settings, collectors, release=release) as client:
        scrape = asyncio.ensure_future(client.get("/metrics"))
        await asyncio.sleep(0.1)
        page = await asyncio.wait_for(client.get("/"), 0.3)
        assert page.status == 200 and not scrape.done()
        resp = await asyncio.wait_for(scrape, 3)
        body = await resp.text()
        assert 'node_scrape_collector_success{collector="slow"} 0\n' in body
        assert 'node_scrape_collector_success{collector="fast"} 1\n' in body

        # Still stuck: the next scrape answers at once and does not start it again.
        started = time.monotonic()
        body = await (await client.get("/metrics")).text()
        assert time.monotonic() - started < 0.4
        assert 'node_scrape_collector_success{collector="slow"} 0\n' in body
        assert slow.calls == 1

        release.set()
        await asyncio.sleep(0.2)
        body = await (await client.get("/metrics")).text()
        assert 'node_scrape_collector_success{collector="slow"} 1\n' in body
        assert slow.calls == 2


async def test_scrape_timeout_header_shortens_the_wait(settings):
    release = threading.Event()
    collectors = {"slow": FakeCollector(settings, "slow", block=release)}
    settings = dataclasses.replace(settings, collector_timeout=5.0)
    async with serving(settings, collectors, release=release) as client:
        started = time.monotonic()
        resp = await client.get("/metrics", headers={"X-Prometheus-Scrape-Timeout-Seconds": "1"})
        elapsed = time.monotonic() - started
        assert resp.status == 200
        assert elapsed < 1.0
        assert 'node_scrape_collector_success{collector="slow"} 0\n' in await resp.text()


async def test_max_requests_gives_503(settings):
    release = threading.Event()
    collectors = {"slow": FakeCollector(settings, "slow", block=release)}
    settings = dataclasses.replace(settings, max_requests=1, collector_timeout=3.0)
    async with serving(settings, collectors, release=release) as client:
        first = asyncio.ensure_future(client.get("/metrics"))
        await asyncio.sleep(0.2)
        second = await client.get("/metrics")
        assert second.status == 503
        assert "Limit of concurrent requests reached (1)" in await second.text()
        release.set()
        assert (await first).status == 200
        body = await (await client.get("/metrics")).text()
        assert 'promhttp_metric_handler_requests_total{code="503"} 1\n' in body


async def test_concurrent_scrapes_share_one_collection(settings):
    collectors = fakes(settings, alpha="ok")
    async with serving(settings, collectors) as client:
        responses = await asyncio.gather(*(client.get("/metrics") for _ in range(10)))
        bodies = [await r.text() for r in responses]
        assert all('node_fake_alpha_value{kind="a"} 1.5' in b for b in bodies)
        assert collectors["alpha"].calls <= 2
        # A request that arrives after a collection ended gets a fresh one.
        calls = collectors["alpha"].calls
        await client.get("/metrics")
        assert collectors["alpha"].calls == calls + 1


async def test_exporter_metrics_can_be_disabled(settings):
    settings = dataclasses.replace(settings, disable_exporter_metrics=True)
    async with serving(settings, fakes(settings, alpha="ok")) as client:
        body = await (await client.get("/metrics")).text()
        assert "promhttp_" not in body and "process_" not in body and "node_exporter_build_info" not in body
        assert "node_fake_alpha_value" in body


async def test_custom_telemetry_path(settings):
    settings = dataclasses.replace(settings, telemetry_path="/custom")
    async with serving(settings, fakes(settings, alpha="ok")) as client:
        assert (await client.get("/custom")).status == 200
        assert (await client.get("/metrics")).status == 404
        assert '<a href="/custom">' in await (await client.get("/")).text()


@pytest.mark.parametrize(("address", "expected"), [
    ("0.0.0.0:20000", ("0.0.0.0", 20000)),
    (":9100", (None, 9100)),
    ("[::1]:1", ("::1", 1)),
    ("127.0.0.1:65536", ConfigError),
    ("127.0.0.1:\u00b2", ConfigError),  # str.isdigit() accepts it, int() does not
    ("127.0.0.1:" + "0" * 5000 + "1", ConfigError),
    ("127.0.0.1", ConfigError),
])
def test_parse_listen_address(address, expected):
    if expected is ConfigError:
        with pytest.raises(ConfigError):
            parse_listen_address(address)
    else:
        assert parse_listen_address(address) == expected
