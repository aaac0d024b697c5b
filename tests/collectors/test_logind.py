import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyexporter.collectors.logind import (
    CLASS_VALUES,
    REMOTE_VALUES,
    TYPE_VALUES,
    Session,
    SessionEntry,
    known_or_other,
    make_session,
    parse_list_seats,
    parse_list_sessions,
)
from pyexporter.dbus import DBusError
from pyexporter.errors import NoDataError, ParseError
from tests.collectors._dbus_fake import NO_REPLY, Fail, FakeService, impatient, private_bus, require_jeepney
from tests.support import NODE_EXPORTER, collect_text, make_collector, samples, scrape_once

ROOT = "/org/freedesktop/login1"
MANAGER = "org.freedesktop.login1.Manager"
SESSION = "org.freedesktop.login1.Session"


@pytest.mark.parametrize(("body", "expected"), [
    (([],), [""]),
    (([("seat0", "/org/freedesktop/login1/seat/seat0")],), ["seat0", ""]),
    (([("seat0", "/a"), ("seat1", "/b")],), ["seat0", "seat1", ""]),
])
def test_parse_list_seats(body, expected):
    assert parse_list_seats(body) == expected


@pytest.mark.parametrize("body", [
    (), ([], []), ("seat0",), ([("seat0",)],), ([("seat0", "/a", "x")],), ([(0, "/a")],),
    ([["seat0", "/a"]],),
])
def test_parse_list_seats_rejects(body):
    with pytest.raises(ParseError):
        parse_list_seats(body)


@pytest.mark.parametrize(("body", "expected"), [
    (([],), []),
    (([("3", 1000, "alice", "seat0", "/org/freedesktop/login1/session/_33")],),
     [SessionEntry("3", 1000, "alice", "seat0", "/org/freedesktop/login1/session/_33")]),
    (([("c1", 4294967295, "", "", "/s")],), [SessionEntry("c1", 4294967295, "", "", "/s")]),
])
def test_parse_list_sessions(body, expected):
    assert parse_list_sessions(body) == expected


@pytest.mark.parametrize("body", [
    (),
    ("sessions",),
    ([("3", 1000, "alice", "seat0")],),
    ([("3", "1000", "alice", "seat0", "/s")],),
    ([("3", True, "alice", "seat0", "/s")],),
    ([("3", -1, "alice", "seat0", "/s")],),
    ([("3", 1 << 32, "alice", "seat0", "/s")],),
    ([("3", 1000, "alice", None, "/s")],),
])
def test_parse_list_sessions_rejects(body):
    with pytest.raises(ParseError):
        parse_list_sessions(body)


@pytest.mark.parametrize(("value", "expected"), [
    ("tty", "tty"), ("x11", "x11"), ("mir", "mir"), ("unspecified", "unspecified"),
    ("TTY", "other"), ("", "other"), ("tty ", "other"),
])
def test_known_or_other(value, expected):
    assert known_or_other(value, TYPE_VALUES) == expected


ENTRY = SessionEntry("1", 0, "root", "seat0", "/s/1")


@pytest.mark.parametrize(("remote", "type_", "class_", "expected"), [
    (("b", True), ("s", "tty"), ("s", "user"), Session("seat0", "true", "tty", "user")),
    (("b", False), ("s", "x11"), ("s", "greeter"), Session("seat0", "false", "x11", "greeter")),
    (("b", False), ("s", "kde"), ("s", "manager"), Session("seat0", "false", "other", "other")),
    # godbus prints a non-boolean Remote as it is: such a session is never counted.
    (("s", "yes"), ("s", "tty"), ("s", "user"), Session("seat0", '"yes"', "tty", "user")),
    (("u", 1), ("s", "tty"), ("s", "user"), Session("seat0", "@u 1", "tty", "user")),
])
def test_make_session(remote, type_, class_, expected):
    assert make_session(ENTRY, (remote,), (type_,), (class_,)) == expected


@pytest.mark.parametrize(("remote", "type_", "class_"), [
    (("b", True), ("u", 1), ("s", "user")),
    (("b", True), ("s", "tty"), ("b", True)),
    ((), ("s", "tty"), ("s", "user")),
    (("as", []), ("s", "tty"), ("s", "user")),
])
def test_make_session_rejects(remote, type_, class_):
    with pytest.raises(ParseError):
        make_session(ENTRY, (remote,) if remote else (), (type_,), (class_,))


# --- against a fake logind on a private bus -----------------------------------------------------

@pytest.fixture
def bus(tmp_path, monkeypatch):
    with private_bus(tmp_path) as address:
        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", address)
        yield address


def fake_logind(address, seats, sessions):
    """sessions: (id, seat, remote, type, class); a property value of None is left unanswerable."""
    service = FakeService(address, "org.freedesktop.login1")
    service.methods[(ROOT, MANAGER, "ListSeats")] = (
        (lambda body: seats) if isinstance(seats, Fail) else
        (lambda body: ("a(so)", ([(s, f"{ROOT}/seat/{s}") for s in seats],))))
    service.methods[(ROOT, MANAGER, "ListSessions")] = (
        (lambda body: sessions) if isinstance(sessions, Fail) else
        (lambda body: ("a(susso)", ([(sid, 1000, "user", seat, f"{ROOT}/session/_3{sid}")
                                     for sid, seat, *_ in sessions],))))
    if not isinstance(sessions, Fail):
        for sid, _, remote, type_, class_ in sessions:
            path = f"{ROOT}/session/_3{sid}"
            for prop, value in (("Remote", remote), ("Type", type_), ("Class", class_)):
                if value is not None:
                    service.properties[(path, SESSION, prop)] = value
    return service


SESSIONS = [
    ("1", "", ("b", True), ("s", "tty"), ("s", "user")),        # ssh
    ("2", "", ("b", True), ("s", "tty"), ("s", "user")),        # ssh again
    ("3", "seat0", ("b", False), ("s", "x11"), ("s", "greeter")),
    ("4", "seat0", ("b", False), ("s", "wayland"), ("s", "user-early")),  # a class logind added later
    ("5", "seat0", ("b", False), ("s", "tty"), None),           # Class unreadable: not counted
    ("6", "seat9", ("b", False), ("s", "tty"), ("s", "user")),  # a seat ListSeats did not list
    ("7", "", ("s", "true"), ("s", "tty"), ("s", "user")),      # Remote not a boolean
]


def test_logind_sessions(bus, tmp_path):
    with fake_logind(bus, ["seat0"], SESSIONS):
        got = samples(make_collector("logind", tmp_path).collect())
    expected = {}
    for remote, type_, class_, seat in itertools.product(REMOTE_VALUES, TYPE_VALUES, CLASS_VALUES,
                                                         ["seat0", ""]):
        key = f'node_logind_sessions{{class="{class_}",remote="{remote}",seat="{seat}",type="{type_}"}}'
        expected[key] = 0.0
    assert len(expected) == 2 * 2 * 7 * 5
    expected['node_logind_sessions{class="user",remote="true",seat="",type="tty"}'] = 2.0
    expected['node_logind_sessions{class="greeter",remote="false",seat="seat0",type="x11"}'] = 1.0
    expected['node_logind_sessions{class="other",remote="false",seat="seat0",type="wayland"}'] = 1.0
    assert got == expected


def test_logind_exposition(bus, tmp_path):
    with fake_logind(bus, [], SESSIONS[:1]):
        text = collect_text(make_collector("logind", tmp_path))
    assert text.startswith("# HELP node_logind_sessions Number of sessions registered in logind.\n"
                           "# TYPE node_logind_sessions gauge\n")
    assert 'node_logind_sessions{class="user",remote="true",seat="",type="tty"} 1\n' in text
    assert text.count("\n") == 2 + 2 * 7 * 5


def test_logind_no_sessions(bus, tmp_path):
    with fake_logind(bus, ["seat0", "seat1"], []):
        got = samples(make_collector("logind", tmp_path).collect())
    assert len(got) == 3 * 2 * 7 * 5
    assert set(got.values()) == {0.0}


@pytest.mark.parametrize(("seats", "sessions", "message"), [
    (Fail(), SESSIONS, "unable to get seats"),
    (["seat0"], Fail("org.freedesktop.DBus.Error.AccessDenied"), "unable to get sessions"),
])
def test_logind_list_calls_fail(bus, tmp_path, seats, sessions, message):
    with fake_logind(bus, seats, sessions), pytest.raises(DBusError, match=message):
        list(make_collector("logind", tmp_path).collect())


def test_logind_garbled_list(bus, tmp_path):
    service = fake_logind(bus, ["seat0"], [])
    service.methods[(ROOT, MANAGER, "ListSessions")] = lambda body: ("a(ss)", ([("a", "b")],))
    with service, pytest.raises(DBusError, match="unable to get sessions"):
        list(make_collector("logind", tmp_path).collect())


def test_logind_absent_bus(tmp_path, monkeypatch):
    require_jeepney()
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path / 'none'}")
    with pytest.raises(NoDataError):
        list(make_collector("logind", tmp_path).collect())


def test_logind_bus_without_logind(bus, tmp_path):
    # The bus is there but nobody owns org.freedesktop.login1: the bus answers with an error.
    with pytest.raises(DBusError, match="unable to get seats"):
        list(make_collector("logind", tmp_path).collect())


def test_logind_hung_session_is_bounded(bus, tmp_path):
    sessions = [*SESSIONS[:3]]
    service = fake_logind(bus, ["seat0"], sessions)
    service.properties[(f"{ROOT}/session/_31", SESSION, "Type")] = NO_REPLY
    with service:
        got = samples(impatient("logind", tmp_path, 0.2).collect())
    # Session 1 did not answer in time and is left out; the others are counted.
    assert got['node_logind_sessions{class="user",remote="true",seat="",type="tty"}'] == 1.0
    assert got['node_logind_sessions{class="greeter",remote="false",seat="seat0",type="x11"}'] == 1.0


def test_logind_hung_service_is_bounded(bus, tmp_path):
    with fake_logind(bus, ["seat0"], SESSIONS) as service:
        service.hang = True
        collector = impatient("logind", tmp_path, 0.2)
        with pytest.raises(DBusError, match="unable to get seats"):
            list(collector.collect())


@pytest.mark.skipif(not NODE_EXPORTER.exists(), reason="node_exporter 1.5.0 is not installed")
def test_logind_same_as_node_exporter_1_5(bus, tmp_path):
    with fake_logind(bus, ["seat0"], SESSIONS):
        ours = collect_text(make_collector("logind", tmp_path))
        theirs = scrape_once([str(NODE_EXPORTER), "--collector.disable-defaults", "--collector.logind"])
    assert sorted(line for line in ours.splitlines() if "node_logind_" in line) == sorted(
        line for line in theirs.splitlines() if "node_logind_" in line)
    assert 'node_scrape_collector_success{collector="logind"} 1' in theirs


values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(1 << 40), 1 << 40), st.text(max_size=6)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                            st.tuples(st.text(max_size=3), inner)),
    max_leaves=10)


@settings(max_examples=300, deadline=None)
@given(st.lists(values, max_size=2).map(tuple), values, values, values)
def test_decoders_raise_only_parse_error(body, remote, type_, class_):
    for decode in (parse_list_seats, parse_list_sessions,
                   lambda b: make_session(ENTRY, (remote,), (type_,), (class_,))):
        try:
            decode(body)
        except ParseError:
            pass
