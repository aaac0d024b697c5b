"""The command line and the process lifecycle, on the real `python -m pyexporter`."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from pyexporter.cli import parse_args
from pyexporter.collectors import filesystem, netdev, qdisc, supervisord
from pyexporter.errors import ConfigError
from pyexporter.flags import Kind
from pyexporter.loader import load_collectors
from pyexporter.registry import all_flags
from tests.support import REPO, free_port, start_pyexporter, wait_until_serving


def run_exporter(*args: str, timeout: float = 10) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyexporter", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def test_defaults():
    settings = parse_args([])
    assert settings.listen_addresses == ("0.0.0.0:20000",)
    assert settings.telemetry_path == "/metrics"
    assert settings.max_requests == 40
    assert settings.roots.procfs == "/proc" and settings.roots.sysfs == "/sys"
    assert settings.roots.rootfs == "/" and settings.roots.udev_data == "/run/udev/data"
    assert settings.collector_timeout == 7.0
    enabled_by_default = {n for n, c in load_collectors().items() if c.default_enabled}
    assert set(settings.enabled_collectors) == enabled_by_default


def test_both_value_forms_and_repeatable_addresses():
    settings = parse_args(["--path.procfs", "/host/proc", "--path.sysfs=/host/sys",
                           "--web.listen-address=127.0.0.1:1", "--web.listen-address", "[::1]:2"])
    assert settings.roots.procfs == "/host/proc" and settings.roots.sysfs == "/host/sys"
    assert settings.listen_addresses == ("127.0.0.1:1", "[::1]:2")


def test_collector_switches():
    settings = parse_args(["--collector.disable-defaults", "--collector.loadavg"])
    assert settings.enabled_collectors == ("loadavg",)
    assert "loadavg" not in parse_args(["--no-collector.loadavg"]).enabled_collectors


def test_duration_flags():
    # Go's durations plus Prometheus's d/w/y; a negative timeout is a configuration error.
    assert parse_args(["--collector.timeout=1m30s"]).collector_timeout == 90.0
    assert parse_args(["--collector.timeout=1d"]).collector_timeout == 86400.0
    for bad in ("-1s", "5", "5x", ""):
        with pytest.raises(ConfigError, match=r"collector\.timeout"):
            parse_args([f"--collector.timeout={bad}"])


def test_unknown_flag_exits_2_with_one_line():
    proc = run_exporter("--no.such-flag")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--no.such-flag" in lines[0]


def test_bad_regex_exits_2_with_one_line():
    regex_flags = [f for f in all_flags() if f.kind is Kind.REGEX]
    assert regex_flags, "some collector flag takes a regular expression"
    proc = run_exporter(f"--{regex_flags[0].name}=(unclosed")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and regex_flags[0].name in lines[0] and "regular expression" in lines[0]


DEPRECATED_FLAGS = ("collector.netdev.device-whitelist", "collector.netdev.device-blacklist",
                    "collector.diskstats.ignored-devices", "collector.qdisk.device-include",
                    "collector.qdisk.device-exclude", "collector.filesystem.ignored-mount-points",
                    "collector.filesystem.ignored-fs-types", "collector.systemd.unit-whitelist",
                    "collector.systemd.unit-blacklist",
                    # Not deprecated, but hidden by node_exporter too ("for testing purposes only").
                    "collector.systemd.private")


def test_deprecated_flags_are_accepted_but_hidden_from_help():
    # node_exporter marks them Hidden(): old command lines keep working, --help does not offer them.
    hidden = {f.name for f in all_flags() if f.hidden} | {f.alias.name for f in all_flags() if f.alias}
    assert hidden == set(DEPRECATED_FLAGS)
    settings = parse_args(["--collector.netdev.device-whitelist=^eth",
                           "--collector.qdisk.device-include=^eth"])
    # Read through the flag it is an alias of, with node_exporter's warning.
    assert settings[netdev.DEVICE_INCLUDE].pattern == "^eth"
    assert settings[qdisc.DEVICE_INCLUDE].pattern == "^eth"
    help_text = run_exporter("--help").stdout
    assert "--collector.netdev.device-include" in help_text
    assert not [name for name in DEPRECATED_FLAGS if f"--{name}" in help_text]


def test_values_arrive_typed_and_validated_once():
    settings = parse_args(["--collector.filesystem.mount-timeout=1m30s",
                           "--collector.filesystem.fs-types-include=^xfs$"])
    assert settings[filesystem.MOUNT_TIMEOUT] == 90.0
    assert settings[filesystem.FS_TYPES_INCLUDE].fullmatch("xfs")
    assert settings[filesystem.MOUNT_POINTS_INCLUDE] is None  # no default, not given
    assert settings[filesystem.STAT_WORKERS] == 4


def test_the_parser_records_what_was_given():
    # Given at its default value and not given are told apart, as kingpin's PreAction does.
    default = filesystem.DEFAULT_MOUNT_POINTS_EXCLUDE
    given = parse_args([f"--collector.filesystem.mount-points-exclude={default}", "--no-collector.cpu"])
    unset = parse_args([])
    assert given[filesystem.MOUNT_POINTS_EXCLUDE].pattern == unset[filesystem.MOUNT_POINTS_EXCLUDE].pattern
    assert given.given(filesystem.MOUNT_POINTS_EXCLUDE) and not unset.given(filesystem.MOUNT_POINTS_EXCLUDE)
    assert not given.given(filesystem.FS_TYPES_EXCLUDE)


def test_an_environment_variable_stands_in_for_a_flag_not_given(monkeypatch):
    # kingpin's Envar: $SUPERVISORD_URL, unless the flag is on the command line (even at its default).
    monkeypatch.setenv("SUPERVISORD_URL", "unix:///run/supervisor.sock")
    assert parse_args([])[supervisord.URL] == "unix:///run/supervisor.sock"
    explicit = parse_args([f"--collector.supervisord.url={supervisord.DEFAULT_URL}"])
    assert explicit[supervisord.URL] == supervisord.DEFAULT_URL


def test_version():
    proc = run_exporter("--version")
    assert proc.returncode == 0
    assert "pyexporter, version" in proc.stdout and "1.12.1" in proc.stdout


def test_port_in_use_fails_fast():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.monotonic()
        proc = run_exporter(f"--web.listen-address=127.0.0.1:{port}", "--collector.disable-defaults")
        elapsed = time.monotonic() - started
    assert proc.returncode != 0
    errors = [line for line in proc.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1, proc.stderr
    assert f"127.0.0.1:{port}" in errors[0] and "address already in use" in errors[0]
    # Interpreter start included; the bind failure itself must not wait.
    assert elapsed < 8


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_shuts_down_gracefully(sig):
    port = free_port()
    proc = start_pyexporter(port, stdout=subprocess.PIPE)
    try:
        assert b"node_load1 " in wait_until_serving(proc, f"http://127.0.0.1:{port}/metrics")
        proc.send_signal(sig)
        started = time.monotonic()
        assert proc.wait(5) == 0
        assert time.monotonic() - started < 5
        _, err = proc.communicate()
        assert "Starting pyexporter" in err and "Enabled collectors" in err and "procfs=/proc" in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_sighup_without_a_web_config_keeps_serving():
    # node_exporter (Go) dies of an unhandled SIGHUP; systemd's ExecReload and habit send it anyway.
    port = free_port()
    proc = start_pyexporter(port, stdout=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        assert b"node_load1 " in wait_until_serving(proc, url)
        for _ in range(3):
            proc.send_signal(signal.SIGHUP)
            time.sleep(0.2)
        with urllib.request.urlopen(url, timeout=5) as resp:
            assert resp.status == 200
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(5) == 0
        _, err = proc.communicate()
        assert err.count("SIGHUP received; there is no --web.config.file to reload") == 3
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_kingpin_help_flags():
    # node_exporter (kingpin) also answers --help-long and --help-man; scripts that call them keep working.
    help_text = run_exporter("--help").stdout
    long = run_exporter("--help-long")
    assert long.returncode == 0 and long.stdout == help_text
    man = run_exporter("--help-man")
    assert man.returncode == 0 and man.stderr == ""
    lines = man.stdout.splitlines()
    assert lines[0].startswith(".TH pyexporter 1 ")
    assert '.SH "OPTIONS"' in lines
    # Every flag --help offers is in the page, hyphens escaped for groff, defaults shown.
    offered = {f.name for f in all_flags() if not f.hidden}
    for name in offered:
        assert any(line.startswith(("\\fB\\-\\-" + name.replace("-", "\\-"),
                                    "\\fB\\-\\-[no\\-]" + name.replace("-", "\\-"))) for line in lines), name
    assert not [f.name for f in all_flags() if f.hidden and f"\\-\\-{f.name.replace('-', chr(92) + '-')}"
                in man.stdout]
    exclude = lines.index("\\fB\\-\\-collector.diskstats.device\\-exclude=REGEX\\fR")
    assert "(default: ^(z?ram|loop|fd|(h|s|v|xv)d[a\\-z]|nvme\\ed+n\\ed+p)\\ed+$)" in lines[exclude + 1]
    # No text line can be taken for a groff request.
    assert all(not line.startswith((".", "'")) for line in lines
               if not line.startswith((".TH", ".SH", ".TP")))
