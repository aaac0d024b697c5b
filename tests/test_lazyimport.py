import subprocess
import sys
import threading

import pytest

from pyexporter.lazyimport import lazy_module
from tests.support import REPO


@pytest.fixture
def package(tmp_path, monkeypatch):
    pkg = tmp_path / "lazypkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    # Slow to execute, so that concurrent first uses overlap.
    (pkg / "heavy.py").write_text("import sys, time\nsys.modules['lazypkg'].ran = True\ntime.sleep(0.2)\n"
                                  "VALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield pkg
    for name in ("lazypkg.heavy", "lazypkg"):
        sys.modules.pop(name, None)


def test_module_runs_on_first_attribute(package):
    import lazypkg

    module = lazy_module("lazypkg.heavy")
    assert not hasattr(lazypkg, "ran")
    assert module.VALUE == 42
    assert lazypkg.ran is True
    from lazypkg import heavy

    heavy.VALUE = 7  # the stand-in reads the real module, patches included
    assert module.VALUE == 7


def test_concurrent_first_use_sees_the_whole_module(package):
    module = lazy_module("lazypkg.heavy")
    seen, errors = [], []

    def use():
        try:
            seen.append(module.VALUE)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and seen == [42] * 8


def test_missing_module():
    with pytest.raises(ModuleNotFoundError):
        lazy_module("pyexporter.no_such_module").anything  # noqa: B018


@pytest.mark.parametrize("heavy", ["pyroute2", "jeepney", "xmlrpc.client"])
def test_collectors_load_without_heavy_modules(heavy):
    # Modules of several MiB that only some collectors use load on their first collection,
    # not at start. A fresh interpreter: this one may have imported them for other tests.
    code = ("import sys; from pyexporter.loader import load_collectors; load_collectors(); "
            f"import pyexporter.server; sys.exit({heavy!r} in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0


_DEFAULT_SCRAPE = """
import asyncio, sys
from aiohttp.test_utils import TestClient, TestServer
from pyexporter.cli import parse_args
from pyexporter.loader import load_collectors
from pyexporter.server import build_app

load_collectors()

async def scrape_twice():
    async with TestClient(TestServer(build_app(parse_args([])))) as client:
        for _ in range(2):
            body = await (await client.get("/metrics")).text()
    return body

body = asyncio.run(scrape_twice())
print("\\n".join(line for line in body.splitlines() if line.startswith("node_scrape_collector_success")))
print("pyroute2 loaded:", "pyroute2" in sys.modules)
"""


def test_a_default_start_and_scrape_never_import_pyroute2():
    """The default collectors (netdev and arp over rtnetlink among them) read netlink with the standard
    library: a start with the default flags, scraped twice, has not imported pyroute2."""
    out = subprocess.run([sys.executable, "-c", _DEFAULT_SCRAPE], cwd=REPO, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert out.splitlines()[-1] == "pyroute2 loaded: False"
    # The netlink paths did run: netdev and arp read the live rtnetlink dumps successfully.
    assert 'node_scrape_collector_success{collector="netdev"} 1' in out
    assert 'node_scrape_collector_success{collector="arp"} 1' in out
