"""examples/systemd: the unit, the socket and the defaults file, checked as systemd reads them.

`systemd-analyze verify` loads both units offline and checks every directive, the command and the
man page named in Documentation=. It insists that ExecStart's binary exists, so the unit is verified as
a copy whose ExecStart names the pyexporter installed from this checkout (the one the tests run), and
the man page is the one `pyexporter --help-man` writes, in a private MANPATH as the README installs it.
`systemd-analyze security --offline` scores the hardening. The defaults file's flags then run for real,
with the README's textfile recipe writing into the textfile folder.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pyexporter.cli import parse_args
from tests.deploy.helpers import http_get, need_tool, start_exporter, stop_process, wait_for
from tests.support import REPO

EXAMPLES = REPO / "examples" / "systemd"
SERVICE = EXAMPLES / "pyexporter.service"
SOCKET = EXAMPLES / "pyexporter.socket"
DEFAULTS = EXAMPLES / "pyexporter.default"
TEXTFILE_DIR = "/var/lib/pyexporter/textfile"
APT_HINT = "scripts/install-test-deps installs Debian's systemd (scripts/apt-packages.txt)"
#: systemd-analyze security's scale: 0 (locked down) to 10; below 3 it says "OK".
MAX_EXPOSURE = 2.5


def directives(path: Path) -> dict[str, list[str]]:
    """`Key=value` lines by key (a key may repeat), comments and section headers left out."""
    out: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def installed_pyexporter() -> str:
    """The console script of the pyexporter the tests run (this checkout, installed in the venv)."""
    path = Path(sys.executable).parent / "pyexporter"
    assert path.is_file(), f"{path}: install the checkout first (pip install -e '.[test]')"
    return str(path)


@pytest.fixture(scope="module")
def manpath(tmp_path_factory) -> str:
    """A MANPATH holding the man page `pyexporter --help-man` writes, installed as the README says."""
    root = tmp_path_factory.mktemp("man")
    (root / "man1").mkdir()
    page = subprocess.run([installed_pyexporter(), "--help-man"], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    (root / "man1" / "pyexporter.1").write_text(page)
    return str(root)


def verify(units: list[Path], manpath: str) -> subprocess.CompletedProcess[str]:
    analyze = need_tool("systemd-analyze", APT_HINT)
    return subprocess.run([analyze, "verify", *map(str, units)], capture_output=True, text=True, timeout=120,
                          cwd=units[0].parent, env={**os.environ, "MANPATH": manpath})


def units_for_this_machine(tmp_path: Path) -> list[Path]:
    """The two units, the service's ExecStart pointing at the installed pyexporter, nothing else changed."""
    text = SERVICE.read_text()
    (start,) = directives(SERVICE)["ExecStart"]
    binary = start.split()[0]
    assert text.count(f"ExecStart={binary} ") == 1
    service = tmp_path / SERVICE.name
    service.write_text(text.replace(f"ExecStart={binary} ", f"ExecStart={installed_pyexporter()} "))
    socket = tmp_path / SOCKET.name
    shutil.copy2(SOCKET, socket)
    return [service, socket]


def test_systemd_analyze_verify(tmp_path, manpath):
    proc = verify(units_for_this_machine(tmp_path), manpath)
    assert proc.returncode == 0 and proc.stdout + proc.stderr == "", proc.stdout + proc.stderr


@pytest.mark.parametrize(("old", "new", "complaint"), [
    ("ProtectSystem=strict", "ProtectSytem=strict", "Unknown key"),
    ("Documentation=man:pyexporter(1)", "Documentation=man:pyexporter-missing(1)", "man"),
    ("{installed}", "/nonexistent/pyexporter", "not executable"),
])
def test_verify_catches_mistakes(tmp_path, manpath, old, new, complaint):
    # The check above can fail: a misspelt directive, a missing man page, a missing binary.
    units = units_for_this_machine(tmp_path)
    text = units[0].read_text()
    old = old.format(installed=installed_pyexporter())
    assert old in text
    units[0].write_text(text.replace(old, new))
    proc = verify(units, manpath)
    assert complaint in proc.stdout + proc.stderr


def test_hardening_score(tmp_path):
    analyze = need_tool("systemd-analyze", APT_HINT)
    service = units_for_this_machine(tmp_path)[0]
    proc = subprocess.run([analyze, "security", "--offline=true", "--no-pager", str(service)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d)", proc.stdout)
    assert match, proc.stdout + proc.stderr
    assert float(match.group(1)) <= MAX_EXPOSURE, proc.stdout


def test_the_unit_is_hardened_as_documented():
    unit = directives(SERVICE)
    assert unit["DynamicUser"] == ["yes"]
    assert unit["ProtectSystem"] == ["strict"]
    assert unit["ProtectHome"] == ["read-only"]
    assert unit["NoNewPrivileges"] == ["yes"]
    assert unit["CapabilityBoundingSet"] == [""] and unit["AmbientCapabilities"] == [""]
    assert set(unit["ReadOnlyPaths"][0].split()) == {"/proc", "/sys"}
    assert unit["EnvironmentFile"] == ["-/etc/default/pyexporter"]
    (start,) = unit["ExecStart"]
    assert start.split()[1:] == ["$ARGS"]
    # The textfile folder is a state directory of the service: /var/lib/<name>.
    assert f"/var/lib/{unit['StateDirectory'][0].split()[-1]}" == TEXTFILE_DIR


def defaults_args() -> list[str]:
    """ARGS of the defaults file, split as systemd splits an unquoted $ARGS (on whitespace)."""
    (assignment,) = [ln for ln in DEFAULTS.read_text().splitlines() if ln.startswith("ARGS=")]
    (value,) = shlex.split(assignment.removeprefix("ARGS="))
    return value.split()


def test_the_defaults_file_holds_flags_pyexporter_takes():
    settings = parse_args(defaults_args())
    assert settings.listen_addresses == ("0.0.0.0:20000",)
    assert settings.flags["collector.textfile.directory"] == (TEXTFILE_DIR,)


def test_the_socket_serves_the_service_port():
    socket = directives(SOCKET)
    assert SOCKET.stem == SERVICE.stem  # pyexporter.socket activates pyexporter.service
    (listen,) = socket["ListenStream"]
    port = int(listen.rsplit(":", 1)[-1])
    (address,) = parse_args(defaults_args()).listen_addresses
    assert address.endswith(f":{port}")


def readme_textfile_recipe() -> str:
    blocks = re.findall(r"```sh\n(.*?)```", (REPO / "README.md").read_text(), re.S)
    (recipe,) = [b for b in blocks if "mktemp" in b and TEXTFILE_DIR in b]
    return recipe


def test_readme_textfile_recipe_feeds_the_textfile_collector(tmp_path):
    textfile = tmp_path / "textfile"
    textfile.mkdir()
    recipe = readme_textfile_recipe().replace(TEXTFILE_DIR, str(textfile))
    args = [a.replace(TEXTFILE_DIR, str(textfile)) for a in defaults_args()
            if not a.startswith("--web.listen-address=")]
    proc, address = start_exporter([sys.executable, "-m", "pyexporter"], tmp_path / "exporter.log",
                                   [*args, "--collector.disable-defaults", "--collector.textfile"])
    try:
        run = subprocess.run(["sh", "-eu"], input=recipe, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        # The temporary file was renamed into place: only the .prom file is left.
        (written,) = textfile.iterdir()
        assert written.suffix == ".prom" and written.stat().st_mode & 0o044 == 0o044
        body = wait_for(lambda: http_get(f"http://{address}/metrics")[1].decode(), 30, "a scrape")
        assert "node_textfile_scrape_error 0" in body
        name = re.search(r"^# TYPE (\S+) ", written.read_text(), re.M).group(1)
        assert re.search(rf"^{name} \S+$", body, re.M), body
    finally:
        stop_process(proc)
