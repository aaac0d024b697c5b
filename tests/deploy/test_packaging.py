"""Packaging: the runtime dependencies are exactly the third-party packages the exporter imports.

Every import in the installed packages is found in the source (module level, inside functions, and the
names handed to `lazy_module`/`importlib.import_module`), mapped to its distribution, and compared
with `[project].dependencies` in pyproject.toml: a package only the tests use belongs in the test extra.
"""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import REPO

#: Functions that import the module named by their first argument.
IMPORTING_CALLS = {"lazy_module", "import_module"}


def runtime_packages() -> list[Path]:
    """The source folders the distribution installs: pyexporter/ and collectors/, which installs as
    pyexporter.collectors (setup.py), never as a top-level package of its own."""
    top_level = importlib.metadata.distribution("pyexporter").read_text("top_level.txt") or "pyexporter"
    assert top_level.split() == ["pyexporter"], top_level
    dirs = [REPO / "pyexporter", REPO / "collectors"]
    assert all((d / "__init__.py").is_file() for d in dirs), dirs
    return dirs


def imported_modules(source: str) -> Iterator[str]:
    """Top-level names of the absolute imports in one module, wherever they are written."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in IMPORTING_CALLS:
                yield node.args[0].value.split(".")[0]


def third_party_imports(packages: list[Path]) -> dict[str, set[str]]:
    """module name -> files importing it, without the standard library and the project's own packages."""
    own = {p.name for p in packages}
    out: dict[str, set[str]] = {}
    for package in packages:
        for path in package.rglob("*.py"):
            for module in imported_modules(path.read_text()):
                if module not in sys.stdlib_module_names and module not in own and module != "__future__":
                    out.setdefault(module, set()).add(str(path.relative_to(REPO)))
    return out


def declared_dependencies() -> set[str]:
    """Names in pyproject.toml's [project].dependencies (read as text: tomllib is 3.11+)."""
    text = (REPO / "pyproject.toml").read_text()
    block = re.search(r"^\[project\]$.*?^dependencies = \[(.*?)^\]", text, re.S | re.M)
    assert block, "no [project].dependencies in pyproject.toml"
    specs = re.findall(r'^\s*"([^"]+)"', block.group(1), re.M)
    return {canonical(re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0]) for spec in specs}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def packages_distributions() -> dict[str, list[str]]:
    """Top-level module name -> the distributions that install it.

    importlib.metadata.packages_distributions() reads only top_level.txt on Python 3.10, which
    wheels built by flit (jeepney's) do not have; 3.11 also reads the files of each distribution.
    That is done here on every version, so the answer is the same everywhere.
    """
    out: dict[str, list[str]] = {}
    for dist in importlib.metadata.distributions():
        names = set((dist.read_text("top_level.txt") or "").split())
        for file in dist.files or ():
            parts = file.parts
            if len(parts) > 1 and not parts[0].endswith((".dist-info", ".egg-info", ".data")):
                names.add(parts[0])
            elif len(parts) == 1 and file.suffix == ".py":
                names.add(file.stem)
        for name in names:
            out.setdefault(name, []).append(dist.metadata["Name"])
    return out


def test_runtime_dependencies_are_what_the_code_imports():
    imports = third_party_imports(runtime_packages())
    distributions = packages_distributions()
    missing = sorted(m for m in imports if m not in distributions)
    assert missing == [], f"imported but installed by no distribution: {missing}"
    needed = {canonical(dist) for module in imports for dist in distributions[module]}
    assert declared_dependencies() == needed, {m: sorted(f) for m, f in imports.items()}


def test_installed_metadata_matches_pyproject():
    # The environment the tests run in was installed from this pyproject.toml (else reinstall).
    installed = {canonical(re.split(r"[\s<>=!~;\[]", req, maxsplit=1)[0])
                 for req in importlib.metadata.requires("pyexporter") or [] if "extra ==" not in req}
    assert installed == declared_dependencies()


def test_the_scan_sees_every_kind_of_import():
    # Proves the scan above can fail: each way of importing a module is found.
    source = ("import aaa.x\nfrom bbb import y\nfrom . import local\n"
              "def f():\n    import ccc\n    return lazy_module('ddd.e'), importlib.import_module('eee')\n")
    assert sorted(imported_modules(source)) == ["aaa", "bbb", "ccc", "ddd", "eee"]


# --- the build records the git revision (setup.py) -------------------------------------------------------

SOURCE_FILES = ("pyproject.toml", "setup.py", "README.md")


@pytest.fixture(scope="module")
def source_checkout(tmp_path_factory) -> tuple[Path, str]:
    """A git checkout of this source (as pip or pipx would build from a clone) and its HEAD."""
    src = tmp_path_factory.mktemp("checkout") / "pyexporter"
    src.mkdir()
    for name in SOURCE_FILES:
        shutil.copy2(REPO / name, src / name)
    for package in runtime_packages():
        shutil.copytree(package, src / package.name, ignore=shutil.ignore_patterns("__pycache__"))
    git = ["git", "-C", str(src), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "snapshot"]):
        subprocess.run([*git, *args], check=True, capture_output=True, timeout=60)
    head = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True,
                          timeout=30).stdout.strip()
    return src, head


def built_revision(src: Path, out: Path, env: dict[str, str]) -> str:
    """Build a wheel of `src` as pip does and return the revision recorded in it."""
    # As pip and pipx build it: in an isolated environment with pyproject.toml's build requirements.
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                           "-w", str(out), str(src)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env}, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (wheel,) = out.glob("pyexporter-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert "pyexporter/_revision.py" in names
        assert any(n.endswith(".dist-info/RECORD") and b"pyexporter/_revision.py" in archive.read(n)
                   for n in names)
        namespace: dict[str, str] = {}
        exec(archive.read("pyexporter/_revision.py"), namespace)
    return namespace["REVISION"]


def test_a_build_from_a_checkout_records_its_head(source_checkout, tmp_path):
    src, head = source_checkout
    assert built_revision(src, tmp_path, {"PYEXPORTER_REVISION": ""}) == head


def test_the_container_builds_revision_argument_wins(source_checkout, tmp_path):
    # The image is built from a context without .git: the REVISION build argument arrives as this variable.
    src, head = source_checkout
    given = "89abcdef" * 5
    assert given != head
    assert built_revision(src, tmp_path, {"PYEXPORTER_REVISION": given}) == given
