import sys

import pytest

from pyexporter.lazyimport import lazy_module


def test_module_runs_on_first_attribute(tmp_path, monkeypatch):
    package = tmp_path / "lazypkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "heavy.py").write_text("import sys\nsys.modules['lazypkg'].ran = True\nVALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        import lazypkg

        module = lazy_module("lazypkg.heavy")
        assert not hasattr(lazypkg, "ran")
        assert module.VALUE == 42
        assert lazypkg.ran is True
        assert lazy_module("lazypkg.heavy") is module
        from lazypkg import heavy

        assert heavy is module
    finally:
        for name in ("lazypkg.heavy", "lazypkg"):
            sys.modules.pop(name, None)


def test_missing_module():
    with pytest.raises(ModuleNotFoundError):
        lazy_module("pyexporter.no_such_module")


def test_collectors_load_without_pyroute2():
    # Run in a fresh interpreter: this one may have imported pyroute2 for other tests.
    import subprocess

    code = ("import sys; from pyexporter.registry import load_collectors; load_collectors(); "
            "import pyexporter.server; sys.exit('pyroute2' in sys.modules)")
    from tests.support import REPO

    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0
