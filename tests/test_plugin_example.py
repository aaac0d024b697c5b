"""examples/plugin, as its users take it: installed by pip into a virtual environment, its own tests
run there, and scraped through a running pyexporter of that environment.

The environment is made without pip and sits above this test environment (a .pth file adds its
site folders): pyexporter from this checkout, pip, setuptools and pytest come from there, and only
the plugin is installed into it, offline (--no-index --no-build-isolation --no-deps).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO, write_tree
from tests.test_plugins import running_exporter, scrape, success

EXAMPLE = REPO / "examples" / "plugin"
DISTRIBUTION = "pyexporter-collector-taint"


def site_folders() -> list[str]:
    """This interpreter's site folders (a venv's, the system's, the user's): what the new one adds."""
    return [p for p in sys.path if p.endswith(("site-packages", "dist-packages")) and Path(p).is_dir()]


def copy_example(dest: Path) -> Path:
    """The example's source without build leftovers (pip builds in the folder it installs from)."""
    leftovers = shutil.ignore_patterns("build", "dist", "*.egg-info", "__pycache__")
    shutil.copytree(EXAMPLE, dest, ignore=leftovers)
    return dest


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A virtual environment with the example plugin installed by pip."""
    tmp = tmp_path_factory.mktemp("plugin-example")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    # addsitedir, not a bare path: the .pth files there (pyexporter's editable install) run too.
    Path(purelib, "_test_environment.pth").write_text(
        "".join(f"import site; site.addsitedir({folder!r})\n" for folder in site_folders()))
    source = copy_example(tmp / "source")
    offline = ["--no-index", "--no-build-isolation", "--no-deps", "--disable-pip-version-check", "-q"]
    install = subprocess.run([python, "-m", "pip", "install", *offline, str(source)], capture_output=True,
                             text=True, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    return venv


def test_the_install_is_what_brings_the_plugin(venv):
    outside = subprocess.run([sys.executable, "-m", "pyexporter", "--help"], cwd=REPO, capture_output=True,
                             text=True, timeout=60)
    assert outside.returncode == 0 and "--collector.taint" not in outside.stdout
    inside = subprocess.run([venv / "bin" / "python", "-m", "pyexporter", "--help"], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert inside.returncode == 0, inside.stderr
    assert f"collector taint (plugin {DISTRIBUTION} 1.0.0):" in inside.stdout
    assert "--collector.taint.all-bits, --no-collector.taint.all-bits" in inside.stdout


def test_the_examples_own_tests_pass_where_it_is_installed(venv, tmp_path):
    # Run from a copy: the installed package is what they import, not the source folder.
    tests = copy_example(tmp_path / "example")
    proc = subprocess.run([venv / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                          cwd=tests, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = proc.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ passed in [\d.]+s", summary), summary


@pytest.mark.parametrize(("flags", "bits"), [
    ((), {"0": ("P", 1), "12": ("O", 1)}),
    (("--collector.taint.all-bits",),
     {str(bit): (letter, 1 if bit in (0, 12) else 0) for bit, letter in enumerate("PFSRMBUDAWCIOELKXTN")}),
])
def test_scraped_through_a_running_exporter(venv, tmp_path, flags, bits):
    root = write_tree(tmp_path / "root", {"proc/sys/kernel/tainted": "4097\n",
                                          "proc/loadavg": "0.25 0.50 0.75 1/100 12345\n"})
    args = ["--collector.disable-defaults", "--collector.loadavg", "--collector.taint", *flags,
            f"--path.procfs={root / 'proc'}"]
    with running_exporter(str(venv / "bin" / "python"), args, tmp_path / "stderr") as url:
        samples = scrape(url)
    assert success(samples) == {"loadavg": 1, "taint": 1}
    assert samples["node_taint_mask"] == 4097 and samples["node_load1"] == 0.25
    served = {bit: (flag, value) for key, value in samples.items()
              for bit, flag in re.findall(r'^node_taint_bit\{bit="(\d+)",flag="(\w*)"\}$', key)}
    assert served == bits


def test_the_running_kernels_taint(venv, tmp_path):
    args = ["--collector.disable-defaults", "--collector.taint"]
    with running_exporter(str(venv / "bin" / "python"), args, tmp_path / "stderr") as url:
        samples = scrape(url)
    assert success(samples) == {"taint": 1}
    assert samples["node_taint_mask"] == int(Path("/proc/sys/kernel/tainted").read_text())
