"""The loader: built-in collectors and plugins through one path, each plugin checked on its own.

Plugins here are distributions written into a folder put on sys.path (tests/distributions.py), so
discovery goes through importlib.metadata as for an installed one. `resolve` is run on them without
touching the program's registry; tests/test_plugins.py runs them in a real exporter.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from pyexporter import loader
from pyexporter.cli import CORE_FLAGS
from pyexporter.flags import BoolFlag
from pyexporter.loader import builtin_sources, plugin_sources, resolve
from pyexporter.plugin import API_VERSION
from pyexporter.registry import BUILTIN, Collector, Origin, register, registrations
from tests.distributions import collector_module, write_distribution
from tests.support import REPO


def unique(prefix: str) -> str:
    """A module name no other test imports (modules stay in sys.modules)."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def resolve_with(monkeypatch, site: Path, timeout: float = loader.PLUGIN_IMPORT_TIMEOUT) -> loader.Resolution:
    monkeypatch.syspath_prepend(str(site))
    return resolve(builtin_sources(), plugin_sources(), CORE_FLAGS, import_timeout=timeout)


def test_builtin_collectors_come_through_the_same_resolution_as_the_program_registry():
    # The program's registry was filled by load_collectors() (tests/conftest.py): the same as a
    # resolution of the built-in sources alone, every built-in module naming its collector.
    result = resolve(builtin_sources(), [], CORE_FLAGS)
    assert result.problems == []
    builtin = {name: reg for name, reg in registrations().items() if not reg.origin.plugin}
    assert result.registrations == builtin
    assert {s.name for s in builtin_sources()} == set(builtin)
    assert all(reg.origin == BUILTIN and reg.cls is not None for reg in builtin.values())


def test_a_plugin_is_found_through_its_entry_point(monkeypatch, tmp_path):
    module = unique("good")
    write_distribution(tmp_path, "pyexporter-collector-good", "1.2", {"good": module},
                       {f"{module}.py": collector_module("good")})
    assert "good" not in {s.name for s in plugin_sources()}  # not on sys.path yet
    result = resolve_with(monkeypatch, tmp_path)
    assert result.problems == []
    reg = result.registrations["good"]
    assert reg.origin == Origin("pyexporter-collector-good", "1.2") and reg.origin.plugin
    assert reg.cls is not None and reg.cls.__module__ == module
    # Collector's own default is on; a plugin's collector is off unless it says otherwise.
    assert Collector.default_enabled and not reg.default_enabled


@pytest.mark.parametrize(("declared", "default"), [("default_enabled = True", True),
                                                    ("default_enabled = False", False)])
def test_a_plugin_that_declares_its_default(monkeypatch, tmp_path, declared, default):
    module = unique("eager")
    write_distribution(tmp_path, "eager", "1", {"eager": module},
                       {f"{module}.py": collector_module("eager", declared)})
    assert resolve_with(monkeypatch, tmp_path).registrations["eager"].default_enabled is default


def test_entry_point_with_a_module_below_the_package_and_a_class_attribute(monkeypatch, tmp_path):
    package = unique("pkg")
    entry_points = {"first": f"{package}.impl", "second": f"{package}:SecondCollector"}
    write_distribution(tmp_path, "two", "1", entry_points,
                       {f"{package}/__init__.py": f"from {package}.other import SecondCollector\n",
                        f"{package}/impl.py": collector_module("first"),
                        f"{package}/other.py": collector_module("second")})
    result = resolve_with(monkeypatch, tmp_path)
    assert result.problems == []
    assert result.registrations["first"].cls.__module__ == f"{package}.impl"
    assert result.registrations["second"].cls.__name__ == "SecondCollector"


def problem(result: loader.Resolution, name: str) -> str:
    (reason,) = [p.reason for p in result.problems if p.name == name]
    return reason


def test_a_plugin_with_a_builtin_name_is_skipped_and_the_builtin_keeps_it(monkeypatch, tmp_path):
    module = unique("shadow")
    write_distribution(tmp_path, "shadow", "1", {"loadavg": module},
                       {f"{module}.py": collector_module("loadavg")})
    result = resolve_with(monkeypatch, tmp_path)
    assert "built-in collector" in problem(result, "loadavg")
    assert result.registrations["loadavg"].origin == BUILTIN
    assert module not in sys.modules, "a plugin that cannot be loaded is not imported"


def test_two_plugins_with_one_name_are_both_refused(monkeypatch, tmp_path):
    first, second = unique("twin"), unique("twin")
    write_distribution(tmp_path, "twin-a", "1", {"twin": first}, {f"{first}.py": collector_module("twin")})
    write_distribution(tmp_path, "twin-b", "2", {"twin": second}, {f"{second}.py": collector_module("twin")})
    result = resolve_with(monkeypatch, tmp_path)
    reason = problem(result, "twin")
    assert "plugin twin-a 1" in reason and "plugin twin-b 2" in reason
    # The name stays known (--collector.twin keeps working), with no class behind it.
    reg = result.registrations["twin"]
    assert reg.cls is None and reg.problem == reason and not reg.default_enabled


@pytest.mark.parametrize(("name", "expected"), [
    ("timeout", "--collector.timeout"),      # a core flag
    ("disable_defaults", None),              # not one: core flags have hyphens
    ("Upper", "not a collector name"),
    ("load-plugins", "not a collector name"),
])
def test_names_that_would_take_a_flag_or_are_no_collector_names(monkeypatch, tmp_path, name, expected):
    module = unique("named")
    write_distribution(tmp_path, "named", "1", {name: module}, {f"{module}.py": collector_module(name)})
    result = resolve_with(monkeypatch, tmp_path)
    if expected is None:
        assert result.problems == [] and result.registrations[name].cls is not None
    else:
        assert expected in problem(result, name)
        assert name not in result.registrations or result.registrations[name].origin == BUILTIN


@pytest.mark.parametrize(("header", "flags", "expected"), [
    # Outside its own prefix.
    ("from pyexporter.plugin import BoolFlag\nF = BoolFlag('collector.other.x', 'x')", "(F,)",
     "outside its own prefix"),
    # A core flag.
    ("from pyexporter.plugin import StringFlag\nF = StringFlag('path.procfs', 'x')", "(F,)",
     "outside its own prefix"),
    # Not a flag of pyexporter.flags.
    ("F = 'collector.flagged.x'", "(F,)", "not a flag of pyexporter.flags"),
    # Twice, differently.
    ("from pyexporter.plugin import BoolFlag, IntFlag\n"
     "A = BoolFlag('collector.flagged.x', 'x')\nB = IntFlag('collector.flagged.x', 'x')",
     "(A, B)", "twice with different definitions"),
])
def test_flag_problems_refuse_the_plugin(monkeypatch, tmp_path, header, flags, expected):
    module = unique("flagged")
    write_distribution(tmp_path, "flagged", "1", {"flagged": module},
                       {f"{module}.py": collector_module("flagged", f"flags = {flags}", header=header)})
    result = resolve_with(monkeypatch, tmp_path)
    assert expected in problem(result, "flagged")
    assert result.registrations["flagged"].cls is None


def test_a_plugin_flag_that_a_builtin_declares_already(monkeypatch, tmp_path):
    # node_exporter's powersupplyclass collector names its flags collector.powersupply.*: a plugin
    # called powersupply may not declare one of them differently.
    module = unique("powersupply")
    header = ("from pyexporter.plugin import StringFlag\n"
              "F = StringFlag('collector.powersupply.ignored-supplies', 'x')")
    write_distribution(tmp_path, "ps", "1", {"powersupply": module},
                       {f"{module}.py": collector_module("powersupply", "flags = (F,)", header=header)})
    reason = problem(resolve_with(monkeypatch, tmp_path), "powersupply")
    assert "--collector.powersupply.ignored-supplies, which pyexporter or another collector has" in reason


@pytest.mark.parametrize(("api_version", "expected"), [
    ("None", "declares no api_version"),
    ("API_VERSION + 1",
     f"written for collector API {API_VERSION + 1}; this pyexporter runs API {API_VERSION}"),
    ("'1'", "written for collector API '1'"),
])
def test_api_version_mismatch_refuses_the_plugin(monkeypatch, tmp_path, api_version, expected):
    module = unique("versioned")
    write_distribution(tmp_path, "versioned", "1", {"versioned": module},
                       {f"{module}.py": collector_module("versioned", api_version=api_version)})
    result = resolve_with(monkeypatch, tmp_path)
    assert expected in problem(result, "versioned")


def test_a_plugin_that_fails_to_import_keeps_its_name(monkeypatch, tmp_path):
    module = unique("broken")
    write_distribution(tmp_path, "broken", "1", {"broken": module},
                       {f"{module}.py": "import no_such_module_for_pyexporter_tests\n"})
    result = resolve_with(monkeypatch, tmp_path)
    reason = problem(result, "broken")
    assert reason.startswith(f"failed to import {module}: ModuleNotFoundError") and "no_such_module" in reason
    assert result.registrations["broken"].cls is None


def test_a_plugin_that_exits_while_importing_is_refused(monkeypatch, tmp_path):
    module = unique("exits")
    write_distribution(tmp_path, "exits", "1", {"exits": module}, {f"{module}.py": "raise SystemExit(3)\n"})
    assert "SystemExit: 3" in problem(resolve_with(monkeypatch, tmp_path), "exits")


def test_an_entry_point_whose_module_declares_another_name(monkeypatch, tmp_path):
    module = unique("misnamed")
    write_distribution(tmp_path, "misnamed", "1", {"misnamed": module},
                       {f"{module}.py": collector_module("other_name")})
    reason = problem(resolve_with(monkeypatch, tmp_path), "misnamed")
    assert reason == f"module {module} declares no collector named 'misnamed' (it declares: other_name)"


def test_an_entry_point_attribute_that_is_not_the_class(monkeypatch, tmp_path):
    module = unique("attr")
    write_distribution(tmp_path, "attr", "1", {"attr": f"{module}:something_else"},
                       {f"{module}.py": collector_module("attr", extra="something_else = 1\n")})
    assert "is not the class of collector 'attr'" in problem(resolve_with(monkeypatch, tmp_path), "attr")


def test_an_import_that_hangs_is_given_up_and_the_others_load(monkeypatch, tmp_path):
    gate = threading.Event()
    gate_name = unique("gate")
    sys.modules[gate_name] = type(sys)(gate_name)
    sys.modules[gate_name].gate = gate  # the hanging module waits on it, so the test can release it
    hanging, good = unique("hanging"), unique("good")
    write_distribution(tmp_path, "hanging", "1", {"hanging": hanging},
                       {f"{hanging}.py": f"import {gate_name}\n{gate_name}.gate.wait(60)\n"})
    write_distribution(tmp_path, "good", "1", {"good": good}, {f"{good}.py": collector_module("good")})
    try:
        result = resolve_with(monkeypatch, tmp_path, timeout=0.3)
    finally:
        gate.set()
    assert problem(result, "hanging") == (f"failed to import {hanging}: TimeoutError: import did not finish "
                                          "within 0.3s")
    assert result.registrations["good"].cls is not None


def test_builtin_problems_are_bugs_that_stop_loading():
    class Clashing(Collector):
        name = "loadavg"

    class CoreFlag(Collector):
        name = "flagged_builtin"
        flags = (BoolFlag("web.disable-exporter-metrics", "another definition"),)

    for cls, expected in ((Clashing, "would take the name of the flag --collector.loadavg"),
                          (CoreFlag, "--web.disable-exporter-metrics")):
        with pytest.raises(TypeError, match=expected):
            resolve(builtin_sources(), [], CORE_FLAGS, program=[cls])


def test_a_program_may_declare_collectors_of_its_own_before_loading():
    # A program that embeds pyexporter (tests/robustness/blocking_exporter.py) registers a class
    # and then runs the command line: the class is loaded as a built-in one.
    @register
    class Embedded(Collector):
        name = unique("embedded")

    result = resolve(builtin_sources(), [], CORE_FLAGS, program=[Embedded])
    assert result.registrations[Embedded.name].cls is Embedded
    assert result.registrations[Embedded.name].origin == BUILTIN


def test_register_takes_only_named_collector_classes():
    with pytest.raises(TypeError, match="has no collector name"):
        register(type("Nameless", (Collector,), {}))
    with pytest.raises(TypeError, match="takes a Collector class"):
        register(object)


def test_no_plugin_no_importlib_metadata():
    # importlib.metadata costs 0.9 MiB of RSS: loaded only where a distribution names the group.
    code = ("import sys; from pyexporter.loader import load_collectors; load_collectors(); "
            "print('importlib.metadata' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert out.strip() == "False"


def test_a_distribution_on_the_path_is_looked_at(tmp_path, monkeypatch):
    assert not loader._may_declare_plugins()
    write_distribution(tmp_path, "any", "1", {"any": "any_module"}, {})
    monkeypatch.syspath_prepend(str(tmp_path))
    assert loader._may_declare_plugins()
