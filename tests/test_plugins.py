"""Collector plugins in a running exporter: discovered through their entry points, switched and
configured on the command line, isolated by the engine (docs/plugins.md).

The plugins are distributions written into a folder on PYTHONPATH (tests/distributions.py):
importlib.metadata finds them there as in site-packages. One exporter runs them all at once, good
and bad: each bad one fails alone while the built-in collectors and the good plugin are served.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from pyexporter.cli import plugins_wanted
from tests.distributions import collector_module, write_distribution
from tests.support import REPO, free_port, stop_process, write_tree

GOOD = """
from pyexporter.plugin import Collector, IntFlag, gauge, register

ANSWER = IntFlag("collector.good.answer", "The value node_good_answer serves.", 42)


@register
class GoodCollector(Collector):
    name = "good"
    api_version = 1
    flags = (ANSWER,)

    def __init__(self, settings):
        super().__init__(settings)
        self.answer = gauge("node_good_answer", "The answer.").one(settings[ANSWER])

    def collect(self):
        yield self.answer
"""

EXITING = """
import sys

from pyexporter.plugin import Collector, StringFlag, register

RUNS = StringFlag("collector.exiting.runs", "File that gets a line per run.")


@register
class ExitingCollector(Collector):
    name = "exiting"
    api_version = 1
    flags = (RUNS,)

    def __init__(self, settings):
        super().__init__(settings)
        self.runs = settings[RUNS]

    def collect(self):
        with open(self.runs, "a") as f:
            f.write("run\\n")
        sys.exit(3)
        yield
"""

CRASHING = """
from pyexporter.plugin import Collector, register


@register
class CrashingCollector(Collector):
    name = "crashing"
    api_version = 1

    def __init__(self, settings):
        raise RuntimeError("no start")
"""

#: Every kind of plugin, by collector name: (distribution, {module path: source}).
PLUGINS: dict[str, tuple[str, dict[str, str]]] = {
    "good": ("pyexporter-collector-good", {"plug_good.py": GOOD}),
    # Its name sorts before loadavg's; it serves node_load1 too, with another value.
    "aaa_shadow": ("shadow", {"plug_shadow.py": collector_module(
        "aaa_shadow", collect="yield gauge('node_load1', '1m load average.').one(-1)")}),
    "eager": ("eager", {"plug_eager.py": collector_module("eager", "default_enabled = True")}),
    "quiet": ("quiet", {"plug_quiet.py": collector_module("quiet")}),
    "raising": ("raising", {"plug_raising.py": collector_module(
        "raising", collect="yield self.up.one(1)\nraise RuntimeError('boom')")}),
    "hanging": ("hanging", {"plug_hanging.py": collector_module(
        "hanging", header="import threading", collect="threading.Event().wait()\nyield self.up.one(1)")}),
    "exiting": ("exiting", {"plug_exiting.py": EXITING}),
    "unfit": ("unfit", {"plug_unfit.py": collector_module(
        "unfit", header="from pyexporter.plugin import MetricFamily",
        collect="yield self.up.one(1)\nyield MetricFamily('node-unfit', 'Bad name.').add(1)")}),
    "broken": ("broken", {"plug_broken.py": "import no_such_module_for_pyexporter_tests\n"}),
    "crashing": ("crashing", {"plug_crashing.py": CRASHING}),
    "future": ("future", {"plug_future.py": collector_module("future", api_version="API_VERSION + 1")}),
    "loadavg": ("pyexporter-collector-loadavg", {"plug_loadavg.py": collector_module("loadavg")}),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A folder holding every plugin distribution, for PYTHONPATH."""
    site = tmp_path_factory.mktemp("site")
    for name, (dist, modules) in PLUGINS.items():
        (module,) = modules
        write_distribution(site, dist, "1.0", {name: module.removesuffix(".py")}, modules)
    # A second distribution that declares "twin" too: neither is loaded.
    for dist in ("twin-a", "twin-b"):
        module = f"plug_{dist.replace('-', '_')}"
        write_distribution(site, dist, "1.0", {"twin": module}, {f"{module}.py": collector_module("twin")})
    return site


def exporter_env(site: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}


def run_exporter(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyexporter", *args], cwd=REPO, env=exporter_env(site),
                          capture_output=True, text=True, timeout=60)


@contextmanager
def running_exporter(python: str, args: Sequence[str], log: Path, env: dict[str, str] | None = None,
                     cwd: Path = REPO) -> Iterator[str]:
    """A `python -m pyexporter` on a free loopback port until the block ends; yields its metrics URL."""
    port = free_port()
    with log.open("w") as err:
        proc = subprocess.Popen([python, "-m", "pyexporter", f"--web.listen-address=127.0.0.1:{port}", *args],
                                cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err)
    try:
        deadline = time.monotonic() + 60
        while "Listening on" not in log.read_text():
            assert proc.poll() is None, f"the exporter exited with {proc.returncode}:\n{log.read_text()}"
            assert time.monotonic() < deadline, "the exporter did not start listening"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/metrics"
        assert proc.poll() is None, "the exporter stopped"
    finally:
        stop_process(proc)


def scrape(url: str) -> dict[str, float]:
    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read().decode()
    return {key: float(value) for key, value in re.findall(r"^(\S+) (\S+)$", body, re.M)}


def success(samples: dict[str, float]) -> dict[str, float]:
    prefix = 'node_scrape_collector_success{collector="'
    return {key[len(prefix):-2]: value for key, value in samples.items() if key.startswith(prefix)}


def test_good_and_bad_plugins_in_one_exporter(site, tmp_path):
    root = write_tree(tmp_path / "root", {"proc/loadavg": "0.25 0.50 0.75 1/100 12345\n"})
    runs, log = tmp_path / "runs", tmp_path / "stderr"
    args = ["--collector.disable-defaults", f"--path.procfs={root / 'proc'}", "--collector.timeout=1s",
            "--collector.loadavg", "--collector.good", "--collector.good.answer=7", "--collector.aaa_shadow",
            "--collector.raising", "--collector.hanging", "--collector.exiting",
            f"--collector.exiting.runs={runs}", "--collector.unfit", "--collector.crashing",
            "--collector.future", "--collector.twin",
            # A plugin that cannot be loaded keeps its switch; its flags are accepted and ignored.
            "--collector.broken", "--collector.broken.path", "/x", "--no-collector.broken.verbose"]
    with running_exporter(sys.executable, args, log, exporter_env(site)) as url:
        first, second = scrape(url), scrape(url)
    assert success(first) == {
        "loadavg": 1, "good": 1, "aaa_shadow": 1,
        # Raised, timed out, called sys.exit(), yielded a family with an invalid name; its
        # constructor raised.
        "raising": 0, "hanging": 0, "exiting": 0, "unfit": 0, "crashing": 0,
        # Could not be loaded (an import error, API 2, two distributions), enabled: they fail.
        "broken": 0, "future": 0, "twin": 0,
    }
    assert success(second) == success(first)
    # The good plugin with its flag, and the built-in collector's data untouched by the shadowing one.
    assert first["node_good_answer"] == 7
    assert first["node_load1"] == 0.25 and first["node_load5"] == 0.5
    # What a failing plugin yielded before it failed is served, as for a built-in collector.
    assert first["node_raising_up"] == 1 and first["node_unfit_up"] == 1
    assert "node_hanging_up" not in first and not any(k.startswith("node-unfit") for k in first)
    # sys.exit() did not end a worker: the collector ran again on the second scrape.
    assert runs.read_text() == "run\nrun\n"
    # Off unless enabled (quiet), and --collector.disable-defaults also turns off a plugin that is on
    # by its own declaration (eager).
    assert "quiet" not in success(first) and "eager" not in success(first)

    errors = [line for line in log.read_text().splitlines() if "level=ERROR" in line]
    not_loaded = [line for line in errors if 'msg="plugin collector not loaded"' in line]
    # One line per plugin that was not loaded, at start, whatever the number of scrapes.
    assert sorted(re.search(r"collector=(\S+)", line).group(1) for line in not_loaded) == [
        "broken", "future", "loadavg", "twin"]
    (loadavg,) = [line for line in not_loaded if "collector=loadavg" in line]
    assert 'origin="plugin pyexporter-collector-loadavg 1.0"' in loadavg and "built-in collector" in loadavg
    (broken,) = [line for line in not_loaded if "collector=broken" in line]
    assert "ModuleNotFoundError" in broken and "trace=" not in broken
    (crashing,) = [line for line in errors if "collector=crashing" in line]
    assert 'msg="plugin collector failed to start; it fails every scrape"' in crashing
    assert 'err="RuntimeError: no start"' in crashing
    assert not any("Traceback" in line for line in log.read_text().splitlines())


def test_help_lists_each_plugin_under_its_name(site):
    proc = run_exporter(site, "--help")
    assert proc.returncode == 0, proc.stderr
    sections = re.split(r"\n(?=\S[^\n]*:\n)", proc.stdout)
    by_title = {section.split("\n", 1)[0]: section for section in sections}
    good = by_title["collector good (plugin pyexporter-collector-good 1.0):"]
    assert "--collector.good, --no-collector.good" in good and "(default: disabled)" in good
    assert "--collector.good.answer INT" in good and "(default: 42)" in good
    assert "(default: enabled)" in by_title["collector eager (plugin eager 1.0):"]
    broken = " ".join(by_title["collector broken (plugin broken 1.0):"].split())
    assert "Not loaded: failed to import plug_broken: ModuleNotFoundError" in broken
    # No plugin section for a plugin that took a built-in's name; the built-in's switch stays.
    assert not any("loadavg" in title for title in by_title if title.startswith("collector "))
    assert "--collector.loadavg, --no-collector.loadavg" in proc.stdout
    # The built-in collectors' flags stay in one sorted list before the plugins'.
    assert proc.stdout.index("--collector.zoneinfo") < proc.stdout.index("collector aaa_shadow (plugin")


def test_a_loaded_plugins_unknown_flag_is_still_an_error(site):
    proc = run_exporter(site, "--collector.good.no-such-flag=1")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "pyexporter: error: unrecognized arguments: --collector.good.no-such-flag=1, try --help"]


def test_no_load_plugins_runs_the_builtin_collectors_only(site, tmp_path):
    proc = run_exporter(site, "--no-collector.load-plugins", "--help")
    assert proc.returncode == 0 and "(plugin " not in proc.stdout
    assert "--collector.load-plugins, --no-collector.load-plugins" in proc.stdout
    proc = run_exporter(site, "--no-collector.load-plugins", "--collector.good")
    assert proc.returncode == 2 and "unrecognized arguments: --collector.good" in proc.stderr
    root = write_tree(tmp_path / "root", {"proc/loadavg": "0.25 0.50 0.75 1/100 12345\n"})
    args = ["--no-collector.load-plugins", "--collector.disable-defaults", "--collector.loadavg",
            f"--path.procfs={root / 'proc'}"]
    with running_exporter(sys.executable, args, tmp_path / "stderr", exporter_env(site)) as url:
        assert success(scrape(url)) == {"loadavg": 1}
    assert "plugin collector not loaded" not in (tmp_path / "stderr").read_text()


@pytest.mark.parametrize(("argv", "wanted"), [
    ([], True),
    (["--no-collector.load-plugins"], False),
    (["--no-collector.load-plugins", "--collector.load-plugins"], True),
    (["--collector.load-plugins", "--no-collector.load-plugins"], False),
    # Only the flag itself: a value that happens to read like it, or a longer name, is not it.
    (["--path.procfs", "--no-collector.load-plugins-x"], True),
])
def test_plugins_wanted(argv, wanted):
    assert plugins_wanted(argv) is wanted
