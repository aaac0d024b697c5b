"""docs/deploy.md's overlay for the systemd and logind collectors, run: pyexporter started with the
overlay's flags and bus address finds a system bus at the host's socket path under the mounted host
root (a private dbus-daemon with fake systemd and logind services stands in for the host's)."""

from __future__ import annotations

import re
import sys

import yaml

from tests.collectors._dbus_fake import private_bus
from tests.collectors.test_logind import fake_logind
from tests.collectors.test_systemd import PROPS, UNITS, fake_systemd
from tests.deploy.test_manifests import MANIFESTS, docs_dbus_overlay
from tests.support import scrape_once


def overlay_additions() -> tuple[list[str], dict[str, str]]:
    """The args and the environment the overlay's JSON patch adds to the container."""
    (patch,) = docs_dbus_overlay()["patches"]
    args: list[str] = []
    env: dict[str, str] = {}
    for op in yaml.safe_load(patch["patch"]):
        assert op["op"] == "add"
        if op["path"].endswith("/args/-"):
            args.append(op["value"])
        elif op["path"].endswith("/env"):
            env.update({item["name"]: item["value"] for item in op["value"]})
    return args, env


def host_root_mount() -> str:
    daemonset = next(d for d in yaml.safe_load_all((MANIFESTS / "base" / "daemonset.yaml").read_text())
                     if d and d["kind"] == "DaemonSet")
    (container,) = daemonset["spec"]["template"]["spec"]["containers"]
    (rootfs,) = [re.fullmatch(r"--path\.rootfs=(.*)", a).group(1) for a in container["args"]
                 if a.startswith("--path.rootfs=")]
    return rootfs


def test_overlay_flags_and_bus_address_reach_the_hosts_bus(tmp_path, monkeypatch):
    args, env = overlay_additions()
    assert args == ["--collector.systemd", "--collector.logind"]
    mount = host_root_mount()
    address = env["DBUS_SYSTEM_BUS_ADDRESS"]
    assert address.startswith(f"unix:path={mount}/")
    # Here the host root is a directory of the test's; the socket sits where the host keeps it.
    host_root = tmp_path / "host-root"
    socket = host_root / address.removeprefix(f"unix:path={mount}/")
    socket.parent.mkdir(parents=True)
    with private_bus(tmp_path, socket) as bus_address:
        assert bus_address.startswith(f"unix:path={socket}")
        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", address.replace(mount, str(host_root), 1))
        session = ("1", "seat0", ("b", False), ("s", "tty"), ("s", "user"))
        with fake_systemd(bus_address, UNITS, props=PROPS), fake_logind(bus_address, ["seat0"], [session]):
            body = scrape_once([sys.executable, "-m", "pyexporter"], ["--collector.disable-defaults", *args])
    assert 'node_scrape_collector_success{collector="systemd"} 1' in body
    assert 'node_scrape_collector_success{collector="logind"} 1' in body
    assert 'node_systemd_unit_state{name="ssh.service",state="active",type="notify"} 1' in body
    assert 'node_logind_sessions{class="user",remote="false",seat="seat0",type="tty"} 1' in body
