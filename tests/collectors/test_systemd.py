import asyncio
import socket
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyexporter.collectors.systemd import (
    UnitStatus,
    parse_list_units,
    parse_systemd_version,
    summarize_units,
    unit_path,
    virtualization_type,
)
from pyexporter.dbus import (
    DBusError,
    DeadlineExceeded,
    go_quote,
    go_variant_string,
    parse_bus_addresses,
    property_value,
)
from pyexporter.errors import ConfigError, NoDataError, ParseError
from tests.collectors._dbus_fake import Fail, FakePeer, FakeService, impatient, private_bus, require_jeepney
from tests.support import NODE_EXPORTER, collect_failing, collect_text, make_collector, samples, scrape_once

MANAGER = "org.freedesktop.systemd1.Manager"
ROOT = "/org/freedesktop/systemd1"
UNIT = "/org/freedesktop/systemd1/unit/"
UINT64_MAX = (1 << 64) - 1


def unit(name, active="active", load="loaded"):
    return (name, f"{name} desc", load, active, "running", "", UNIT + "x", 0, "", "/")


# --- pure decoding -------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "expected"), [
    (([],), []),
    (([unit("a.service")],), [UnitStatus("a.service", "a.service desc", "loaded", "active", "running", "",
                                         UNIT + "x", 0, "", "/")]),
    (([("b", "", "not-found", "inactive", "dead", "", "/", 4294967295, "start", "/job/1")],),
     [UnitStatus("b", "", "not-found", "inactive", "dead", "", "/", 4294967295, "start", "/job/1")]),
])
def test_parse_list_units(body, expected):
    assert parse_list_units(body) == expected


@pytest.mark.parametrize("body", [
    (),
    ([], []),
    ("units",),
    ([("a", "b")],),
    ([unit("a")[:9]],),
    ([(*unit("a"), "extra")],),
    ([("a", "", "loaded", "active", "running", "", "/", "0", "", "/")],),
    ([("a", "", "loaded", "active", "running", "", "/", True, "", "/")],),
    ([("a", "", "loaded", "active", "running", "", "/", -1, "", "/")],),
    ([("a", "", "loaded", "active", "running", "", "/", 1 << 32, "", "/")],),
    ([(b"a", "", "loaded", "active", "running", "", "/", 0, "", "/")],),
    ([["a", "", "loaded", "active", "running", "", "/", 0, "", "/"]],),
])
def test_parse_list_units_rejects(body):
    with pytest.raises(ParseError):
        parse_list_units(body)


@pytest.mark.parametrize(("formatted", "expected"), [
    ('"252.22-1~deb12u1"', (252.22, "252.22-1~deb12u1")),
    ('"256"', (256.0, "256")),
    ('"systemd 249 (249.11-0ubuntu3)"', (249.0, "systemd 249 (249.11-0ubuntu3)")),
    ('"v99"', (0.0, "")),
    ('""', (0.0, "")),
    ("", (0.0, "")),
    ("@u 252", (252.0, "@u 252")),
    ('""252""', (252.0, '"252"')),
    ('"123456789012345678901234567890"', (1.2345678901234568e29, "123456789012345678901234567890")),
])
def test_parse_systemd_version(formatted, expected):
    assert parse_systemd_version(formatted) == expected


@pytest.mark.parametrize(("formatted", "expected"), [
    ('"kvm"', "kvm"), ('""', "none"), ("", "none"), ('""docker""', "docker"), ("@u 1", "@u 1"),
])
def test_virtualization_type(formatted, expected):
    assert virtualization_type(formatted) == expected


@pytest.mark.parametrize(("name", "path"), [
    ("foo.service", UNIT + "foo_2eservice"),
    ("dbus-org.freedesktop.Avahi.service", UNIT + "dbus_2dorg_2efreedesktop_2eAvahi_2eservice"),
    ("1x.socket", UNIT + "_31x_2esocket"),
    ("x1", UNIT + "x1"),
    ("", UNIT + "_"),
    ("a\nb", UNIT + "a_ab"),
    ("é", UNIT + "_c3_a9"),
])
def test_unit_path(name, path):
    assert unit_path(name) == path


def test_summarize_units_counts_all_states_including_unknown_ones():
    units = parse_list_units(([unit("a"), unit("b", "failed"), unit("c", "reloading", "not-found"),
                               unit("d", "failed")],))
    assert summarize_units(units) == {"active": 1.0, "activating": 0.0, "deactivating": 0.0,
                                      "inactive": 0.0, "failed": 2.0, "reloading": 1.0}


@pytest.mark.parametrize(("body", "expected"), [
    ((("s", "running"),), '"running"'),
    ((("s", 'a"b\\c\n\x01\x7f é\u200b'),), '"a\\"b\\\\c\\n\\x01\\x7f é\\u200b"'),
    ((("b", True),), "true"),
    ((("b", False),), "false"),
    ((("i", -5),), "-5"),
    ((("u", 252),), "@u 252"),
    ((("t", UINT64_MAX),), f"@t {UINT64_MAX}"),
    ((("y", 10),), "@y 0xa"),
    ((("o", "/a/b"),), '@o "/a/b"'),
    ((("v", ("s", "x")),), '<"x">'),
    ((("v", ("u", 1)),), "<@u 1>"),
])
def test_go_variant_string(body, expected):
    assert go_variant_string(body) == expected


@pytest.mark.parametrize("body", [
    (), (("s", "a"), ("s", "b")), ("running",), (("s",),), ((1, 2),),
    (("as", ["a"]),), (("d", 1.5),), (("(ss)", ("a", "b")),), (("s", 5),), (("u", "5"),),
])
def test_go_variant_string_rejects(body):
    with pytest.raises(ParseError):
        go_variant_string(body)


@pytest.mark.parametrize(("body", "signature", "expected"), [
    ((("s", "notify"),), "s", "notify"),
    ((("u", 0),), "u", 0),
    ((("u", 4294967295),), "u", 4294967295),
    ((("t", UINT64_MAX),), "t", UINT64_MAX),
    ((("b", True),), "b", True),
])
def test_property_value(body, signature, expected):
    assert property_value(body, signature) == expected


@pytest.mark.parametrize(("body", "signature"), [
    ((("s", "notify"),), "u"),
    ((("u", 1 << 32),), "u"),
    ((("u", -1),), "u"),
    ((("u", True),), "u"),
    ((("t", 1 << 64),), "t"),
    ((("s", b"x"),), "s"),
    ((("b", 1),), "b"),
    ((), "s"),
    (("notify",), "s"),
])
def test_property_value_rejects(body, signature):
    with pytest.raises(ParseError):
        property_value(body, signature)


def test_go_quote_matches_strconv_quote_on_printable_text():
    assert go_quote("") == '""'
    assert go_quote("plain text") == '"plain text"'
    assert go_quote("\t\x00") == '"\\t\\x00"'


@pytest.mark.parametrize(("address", "expected"), [
    ("unix:path=/run/dbus/system_bus_socket", ["/run/dbus/system_bus_socket"]),
    ("unix:path=/tmp/a,guid=1234", ["/tmp/a"]),
    ("unix:abstract=/tmp/dbus-x", ["\0/tmp/dbus-x"]),
    ("tcp:host=localhost,port=1;unix:path=/b", ["/b"]),
    ("unix:path=/a;unix:path=/b;", ["/a", "/b"]),
    ("unix:path=/with%20space", ["/with space"]),
    ("unix:runtime=yes", []),
    ("", []),
])
def test_parse_bus_addresses(address, expected):
    assert parse_bus_addresses(address) == expected


@pytest.mark.parametrize("address", ["/just/a/path", "unix:path", "unix:=x", ":path=/a", "unix:path=/a%2",
                                     "unix:path=/a%zz"])
def test_parse_bus_addresses_rejects(address):
    with pytest.raises(ParseError):
        parse_bus_addresses(address)


# --- against a fake systemd on a private bus ----------------------------------------------------

@pytest.fixture
def bus(tmp_path, monkeypatch):
    with private_bus(tmp_path) as address:
        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", address)
        yield address


def fake_systemd(address, units, version="252.22-1~deb12u1", virtualization="kvm", state="running",
                 props=None):
    service = FakeService(address, "org.freedesktop.systemd1")
    for name, value in (("Version", version), ("Virtualization", virtualization), ("SystemState", state)):
        if value is not None:
            service.properties[(ROOT, MANAGER, name)] = (
                value if isinstance(value, (Fail, tuple)) else ("s", value))
    service.methods[(ROOT, MANAGER, "ListUnits")] = (
        (lambda body: units) if isinstance(units, Fail) else (lambda body: ("a(ssssssouso)", (units,))))
    for (name, interface, prop), value in (props or {}).items():
        service.properties[(unit_path(name), f"org.freedesktop.systemd1.{interface}", prop)] = value
    return service


UNITS = [
    unit("ssh.service"),
    unit("cron.service", "failed"),
    unit("broken.service", "activating"),
    unit("gone.service", "inactive", "not-found"),
    unit("reload.service", "reloading"),
    unit("sshd.socket"),
    unit("old.socket"),
    unit("mute.socket"),
    unit("logrotate.timer", "inactive"),
    unit("boot.mount"),
    unit("user.slice"),
    unit("multi-user.target"),
]

PROPS = {
    ("ssh.service", "Service", "Type"): ("s", "notify"),
    ("ssh.service", "Service", "NRestarts"): ("u", 3),
    ("ssh.service", "Service", "TasksCurrent"): ("t", 4),
    ("ssh.service", "Service", "TasksMax"): ("t", UINT64_MAX),
    ("ssh.service", "Unit", "ActiveEnterTimestamp"): ("t", 1_700_000_000_500_000),
    ("cron.service", "Service", "Type"): ("s", "simple"),
    ("cron.service", "Service", "NRestarts"): ("u", 0),
    ("cron.service", "Service", "TasksCurrent"): ("t", UINT64_MAX),
    ("cron.service", "Service", "TasksMax"): ("t", 4915),
    # broken.service: every property call fails (Type, NRestarts, tasks).
    ("broken.service", "Service", "Type"): Fail(),
    ("broken.service", "Service", "NRestarts"): ("s", "not a number"),
    ("reload.service", "Service", "Type"): ("u", 1),
    ("sshd.socket", "Socket", "NAccepted"): ("u", 12),
    ("sshd.socket", "Socket", "NConnections"): ("u", 2),
    ("sshd.socket", "Socket", "NRefused"): ("u", 1),
    ("sshd.socket", "Unit", "ActiveEnterTimestamp"): ("t", 1_600_000_000_000_000),
    ("old.socket", "Socket", "NAccepted"): ("u", 7),
    ("old.socket", "Socket", "NConnections"): ("u", 0),
    ("mute.socket", "Socket", "NConnections"): ("u", 9),
    ("logrotate.timer", "Timer", "LastTriggerUSec"): ("t", 1_700_000_100_250_000),
    ("boot.mount", "Mount", "Type"): ("s", "ext4"),
    ("multi-user.target", "Unit", "ActiveEnterTimestamp"): Fail(),
}


def unit_states(name, active, type_=""):
    states = ("active", "activating", "deactivating", "inactive", "failed")
    return {f'node_systemd_unit_state{{name="{name}",state="{s}",type="{type_}"}}': float(s == active)
            for s in states}


def test_systemd_default_flags(bus, tmp_path):
    with fake_systemd(bus, UNITS, props=PROPS) as service:
        got = samples(make_collector("systemd", tmp_path).collect())
    expected = {
        'node_systemd_version{version="252.22-1~deb12u1"}': 252.22,
        'node_systemd_virtualization_info{virtualization_type="kvm"}': 1.0,
        'node_systemd_units{state="active"}': 7.0,
        'node_systemd_units{state="activating"}': 1.0,
        'node_systemd_units{state="deactivating"}': 0.0,
        'node_systemd_units{state="inactive"}': 2.0,
        'node_systemd_units{state="failed"}': 1.0,
        'node_systemd_units{state="reloading"}': 1.0,
        **unit_states("ssh.service", "active", "notify"),
        **unit_states("cron.service", "failed", "simple"),
        **unit_states("broken.service", "activating"),
        **unit_states("reload.service", "reloading"),
        **unit_states("sshd.socket", "active"),
        **unit_states("old.socket", "active"),
        **unit_states("mute.socket", "active"),
        **unit_states("logrotate.timer", "inactive"),
        **unit_states("multi-user.target", "active"),
        'node_systemd_socket_accepted_connections_total{name="sshd.socket"}': 12.0,
        'node_systemd_socket_current_connections{name="sshd.socket"}': 2.0,
        'node_systemd_socket_refused_connections_total{name="sshd.socket"}': 1.0,
        'node_systemd_socket_accepted_connections_total{name="old.socket"}': 7.0,
        'node_systemd_socket_current_connections{name="old.socket"}': 0.0,
        'node_systemd_timer_last_trigger_seconds{name="logrotate.timer"}': 1_700_000_100.25,
        "node_systemd_system_running": 1.0,
    }
    assert got == expected
    # The not-loaded and the excluded units are never asked about.
    asked = {path for path, *_ in service.calls}
    assert unit_path("gone.service") not in asked
    assert unit_path("boot.mount") not in asked
    assert unit_path("user.slice") not in asked


def test_systemd_exposition_help_and_types(bus, tmp_path):
    with fake_systemd(bus, [unit("sshd.socket")], props=PROPS):
        text = collect_text(make_collector("systemd", tmp_path))
    assert ("# HELP node_systemd_units Summary of systemd unit states\n"
            "# TYPE node_systemd_units gauge\n") in text
    assert ("# HELP node_systemd_socket_accepted_connections_total "
            "Total number of accepted socket connections\n"
            "# TYPE node_systemd_socket_accepted_connections_total counter\n") in text
    assert ("# HELP node_systemd_socket_refused_connections_total "
            "Total number of refused socket connections\n"
            "# TYPE node_systemd_socket_refused_connections_total gauge\n") in text
    assert ("# HELP node_systemd_system_running Whether the system is operational "
            "(see 'systemctl is-system-running')\n# TYPE node_systemd_system_running gauge\n"
            "node_systemd_system_running 1\n") in text
    assert ('# HELP node_systemd_virtualization_info Detected virtualization technology\n'
            '# TYPE node_systemd_virtualization_info gauge\n'
            'node_systemd_virtualization_info{virtualization_type="kvm"} 1\n') in text


def test_systemd_enable_flags(bus, tmp_path):
    with fake_systemd(bus, UNITS, props=PROPS):
        got = samples(make_collector(
            "systemd", tmp_path, "--collector.systemd.enable-task-metrics",
            "--collector.systemd.enable-restarts-metrics", "--collector.systemd.enable-start-time-metrics",
        ).collect())
    extra = {k: v for k, v in got.items()
             if k.split("{")[0] in ("node_systemd_service_restart_total", "node_systemd_unit_tasks_current",
                                    "node_systemd_unit_tasks_max", "node_systemd_unit_start_time_seconds")}
    assert extra == {
        'node_systemd_service_restart_total{name="ssh.service"}': 3.0,
        'node_systemd_service_restart_total{name="cron.service"}': 0.0,
        'node_systemd_unit_tasks_current{name="ssh.service"}': 4.0,
        'node_systemd_unit_tasks_max{name="cron.service"}': 4915.0,
        'node_systemd_unit_start_time_seconds{name="ssh.service"}': 1_700_000_000.5,
        'node_systemd_unit_start_time_seconds{name="sshd.socket"}': 1_600_000_000.0,
        # Not active: 0 without asking; active without a readable timestamp: left out.
        'node_systemd_unit_start_time_seconds{name="cron.service"}': 0.0,
        'node_systemd_unit_start_time_seconds{name="broken.service"}': 0.0,
        'node_systemd_unit_start_time_seconds{name="reload.service"}': 0.0,
        'node_systemd_unit_start_time_seconds{name="logrotate.timer"}': 0.0,
    }


def test_systemd_include_exclude(bus, tmp_path):
    with fake_systemd(bus, UNITS, props=PROPS):
        got = samples(make_collector("systemd", tmp_path,
                                     "--collector.systemd.unit-include=.+\\.(service|mount)",
                                     "--collector.systemd.unit-exclude=cron.*").collect())
    names = {k.split('name="')[1].split('"')[0] for k in got if k.startswith("node_systemd_unit_state")}
    # Include and exclude are anchored: "ssh.service" is not excluded by "cron.*", and a
    # pattern matching only part of a name ("ssh") would select nothing.
    assert names == {"ssh.service", "broken.service", "reload.service", "boot.mount"}
    assert got['node_systemd_unit_state{name="boot.mount",state="active",type="ext4"}'] == 1.0
    # The summary counts every unit, filtered or not.
    assert got['node_systemd_units{state="active"}'] == 7.0

    with fake_systemd(bus, UNITS, props=PROPS):
        got = samples(make_collector("systemd", tmp_path, "--collector.systemd.unit-include=ssh").collect())
    assert not [k for k in got if k.startswith("node_systemd_unit_state")]


def test_systemd_deprecated_flags(bus, tmp_path):
    with fake_systemd(bus, UNITS, props=PROPS):
        got = samples(make_collector("systemd", tmp_path, "--collector.systemd.unit-whitelist=ssh\\..*",
                                     "--collector.systemd.unit-blacklist=.*socket").collect())
    names = {k.split('name="')[1].split('"')[0] for k in got if k.startswith("node_systemd_unit_state")}
    assert names == {"ssh.service"}
    with pytest.raises(ConfigError):
        make_collector("systemd", tmp_path, "--collector.systemd.unit-whitelist=a",
                       "--collector.systemd.unit-include=b")
    with pytest.raises(ConfigError):
        make_collector("systemd", tmp_path, "--collector.systemd.unit-blacklist=a",
                       "--collector.systemd.unit-exclude=b")
    # As node_exporter (kingpin's PreAction): the flag given at its default value is still given.
    with pytest.raises(ConfigError, match="mutually exclusive"):
        make_collector("systemd", tmp_path, "--collector.systemd.unit-whitelist=a",
                       "--collector.systemd.unit-include=.+")


def test_systemd_flags_are_node_exporters():
    from pyexporter.collectors.systemd import SystemdCollector

    flags = {f.name: f for f in SystemdCollector.flags}
    assert set(flags) == {f"collector.systemd.{n}" for n in (
        "unit-include", "unit-exclude", "private",
        "enable-task-metrics", "enable-restarts-metrics", "enable-start-time-metrics")}
    assert {n for n, f in flags.items() if f.hidden} == {"collector.systemd.private"}
    # The whitelist/blacklist names are deprecated aliases of include/exclude (hidden from --help).
    assert {f.alias.name for f in flags.values() if f.alias} == {
        "collector.systemd.unit-whitelist", "collector.systemd.unit-blacklist"}
    assert flags["collector.systemd.unit-exclude"].default == r".+\.(automount|device|mount|scope|slice)"
    assert SystemdCollector.default_enabled is False


def test_systemd_old_version_has_no_timers_or_system_state(bus, tmp_path):
    with fake_systemd(bus, UNITS, version="211", props=PROPS):
        got = samples(make_collector("systemd", tmp_path).collect())
    assert got['node_systemd_version{version="211"}'] == 211.0
    assert not [k for k in got if "timer_last_trigger" in k or "system_running" in k]


def test_systemd_unreadable_manager_properties(bus, tmp_path):
    with fake_systemd(bus, [unit("logrotate.timer")], version=Fail(), virtualization=None, props=PROPS):
        got = samples(make_collector("systemd", tmp_path).collect())
    # No version: 0 with an empty label, and the version-gated metrics are skipped.
    assert got['node_systemd_version{version=""}'] == 0.0
    assert got['node_systemd_virtualization_info{virtualization_type="unknown"}'] == 1.0
    assert not [k for k in got if "timer_last_trigger" in k or "system_running" in k]


def test_systemd_system_state_not_running(bus, tmp_path):
    with fake_systemd(bus, [], state="degraded", virtualization=""):
        got = samples(make_collector("systemd", tmp_path).collect())
    assert got["node_systemd_system_running"] == 0.0
    assert got['node_systemd_virtualization_info{virtualization_type="none"}'] == 1.0


def test_systemd_list_units_fails(bus, tmp_path):
    with fake_systemd(bus, Fail("org.freedesktop.DBus.Error.AccessDenied")):
        families, err = collect_failing(make_collector("systemd", tmp_path))
    assert "couldn't get units" in str(err)
    # What node_exporter had sent before the failure is still exposed.
    assert samples(families) == {
        'node_systemd_version{version="252.22-1~deb12u1"}': 252.22,
        'node_systemd_virtualization_info{virtualization_type="kvm"}': 1.0,
    }


def test_systemd_list_units_garbled(bus, tmp_path):
    service = fake_systemd(bus, [])
    service.methods[(ROOT, MANAGER, "ListUnits")] = lambda body: ("a(ss)", ([("a", "b")],))
    with service:
        families, error = collect_failing(make_collector("systemd", tmp_path))
    assert "couldn't get units" in str(error)
    assert {f.name for f in families} == {"node_systemd_version", "node_systemd_virtualization_info"}


def test_systemd_system_state_fails(bus, tmp_path):
    with fake_systemd(bus, [unit("ssh.service")], state=Fail(), props=PROPS):
        families, err = collect_failing(make_collector("systemd", tmp_path))
        assert "system state" in str(err)
    got = samples(families)
    assert got['node_systemd_unit_state{name="ssh.service",state="active",type="notify"}'] == 1.0
    assert "node_systemd_system_running" not in got


def test_systemd_absent_bus(tmp_path, monkeypatch):
    require_jeepney()
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path / 'nothing'}")
    with pytest.raises(NoDataError):
        list(make_collector("systemd", tmp_path).collect())
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", "tcp:host=127.0.0.1,port=1")
    with pytest.raises(NoDataError):
        list(make_collector("systemd", tmp_path).collect())
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", "garbage")
    with pytest.raises(NoDataError):
        list(make_collector("systemd", tmp_path).collect())


def test_systemd_refused_socket(tmp_path, monkeypatch):
    require_jeepney()
    path = tmp_path / "refusing"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))  # bound but not listening: connect() is refused
        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={path}")
        with pytest.raises(NoDataError):
            list(make_collector("systemd", tmp_path).collect())


def test_systemd_private_connection(tmp_path, monkeypatch):
    """--collector.systemd.private talks to systemd directly: no bus, no Hello."""
    require_jeepney()
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    path = tmp_path / "private"
    service = fake_systemd(str(path), [unit("ssh.service")], props=PROPS)
    peer = FakePeer(str(path), "org.freedesktop.systemd1", service.methods, service.properties)
    with peer:
        collector = make_collector("systemd", tmp_path, "--collector.systemd.private")
        collector.private_address = f"unix:path={path}"
        got = samples(collector.collect())
        # Without the flag the same socket is not used, and the system bus is absent.
        with pytest.raises(NoDataError):
            list(make_collector("systemd", tmp_path).collect())
    assert got['node_systemd_unit_state{name="ssh.service",state="active",type="notify"}'] == 1.0
    assert got["node_systemd_system_running"] == 1.0
    assert "Hello" not in {member for _, _, member, _ in peer.calls}


def test_systemd_private_socket_absent(tmp_path):
    require_jeepney()
    collector = make_collector("systemd", tmp_path, "--collector.systemd.private")
    assert collector.private_address == "unix:path=/run/systemd/private"
    collector.private_address = f"unix:path={tmp_path / 'private'}"
    with pytest.raises(NoDataError, match="private"):
        list(collector.collect())


def test_systemd_without_jeepney(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "jeepney.io.blocking", None)
    with pytest.raises(DBusError, match="jeepney"):
        list(make_collector("systemd", tmp_path).collect())


def test_systemd_hung_service_is_bounded(bus, tmp_path):
    with fake_systemd(bus, UNITS, props=PROPS) as service:
        service.hang = True
        collector = impatient("systemd", tmp_path, 0.2)
        families, err = collect_failing(collector)
    assert "couldn't get units" in str(err)
    # Version and Virtualization timed out (skipped as unreadable), then ListUnits failed.
    assert samples(families) == {
        'node_systemd_version{version=""}': 0.0,
        'node_systemd_virtualization_info{virtualization_type="unknown"}': 1.0,
    }


def test_systemd_collection_deadline(bus, tmp_path):
    with fake_systemd(bus, UNITS, props=PROPS) as service:
        service.hang = True
        collector = make_collector("systemd", tmp_path, "--collector.timeout=0.3s")
        with pytest.raises(DeadlineExceeded):
            list(collector.collect())


def test_systemd_hung_bus_daemon(tmp_path, monkeypatch):
    """A socket that accepts but never speaks: connecting gives up after the call timeout."""
    require_jeepney()
    path = tmp_path / "silent"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        server.listen(1)
        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={path}")
        collector = impatient("systemd", tmp_path, 0.2)
        with pytest.raises(NoDataError):
            list(collector.collect())


def test_systemd_late_reply_is_not_taken_for_the_next_one(bus, tmp_path):
    """A reply that arrives after its call timed out must not answer the next call."""
    def slow_version():
        time.sleep(0.5)
        return ("s", "999")

    service = fake_systemd(bus, [unit("ssh.service")], props=PROPS)
    service.properties[(ROOT, MANAGER, "Version")] = slow_version
    with service:
        got = samples(impatient("systemd", tmp_path, 0.3).collect())
    assert got['node_systemd_version{version=""}'] == 0.0
    assert got['node_systemd_virtualization_info{virtualization_type="kvm"}'] == 1.0


@pytest.mark.skipif(not NODE_EXPORTER.exists(), reason="node_exporter 1.5.0 is not installed")
def test_systemd_same_as_node_exporter_1_5(bus, tmp_path):
    """node_exporter 1.5.0 on the same fake bus gives the same samples (it has no
    virtualization_info yet; 1.12.1 does)."""
    flags = ("--collector.systemd.enable-task-metrics", "--collector.systemd.enable-restarts-metrics",
             "--collector.systemd.enable-start-time-metrics", "--collector.systemd.unit-exclude=.+\\.slice")
    # node_exporter panics (and exits) on a property of an unexpected D-Bus type; we skip
    # it. Those cases stay out of the comparison.
    panics = {("broken.service", "Service", "NRestarts"), ("reload.service", "Service", "Type")}
    props = {key: value for key, value in PROPS.items() if key not in panics}
    with fake_systemd(bus, UNITS, props=props):
        ours = collect_text(make_collector("systemd", tmp_path, *flags))
        theirs = scrape_once([str(NODE_EXPORTER), "--collector.disable-defaults", "--collector.systemd",
                              *flags])

    def systemd_lines(text):
        return sorted(line for line in text.splitlines()
                      if "node_systemd_" in line and "virtualization_info" not in line)

    assert systemd_lines(ours) == systemd_lines(theirs)
    assert 'node_scrape_collector_success{collector="systemd"} 1' in theirs


def test_systemd_partial_failure_through_the_scrape_engine(bus, tmp_path):
    """success 0, and what node_exporter had sent before the error is still served."""
    from pyexporter.scrape import ScrapeEngine

    with fake_systemd(bus, Fail("org.freedesktop.DBus.Error.AccessDenied")):
        engine = ScrapeEngine({"systemd": make_collector("systemd", tmp_path)}, timeout=5)
        try:
            collection = asyncio.run(engine.scrape())
        finally:
            engine.shutdown()
    assert [(o.name, o.success) for o in collection.outcomes] == [("systemd", False)]
    got = samples(collection.families)
    assert got['node_systemd_version{version="252.22-1~deb12u1"}'] == 252.22
    assert got['node_scrape_collector_success{collector="systemd"}'] == 0.0


scalars = st.one_of(st.none(), st.booleans(), st.integers(-(1 << 70), 1 << 70), st.text(max_size=8),
                    st.binary(max_size=4), st.floats(allow_nan=True))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                            st.tuples(st.text(max_size=3), inner)),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(values, max_size=3).map(tuple), st.sampled_from(["s", "u", "t", "b", "o", "y"]))
def test_decoders_raise_only_parse_error(body, signature):
    for decode in (parse_list_units, go_variant_string, lambda b: property_value(b, signature)):
        try:
            decode(body)
        except ParseError:
            pass


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_parse_bus_addresses_raises_only_parse_error(text):
    try:
        parse_bus_addresses(text)
    except ParseError:
        pass
    unit_path(text)
