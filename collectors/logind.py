"""logind: sessions registered in systemd-logind, from its D-Bus API.

As node_exporter 1.12.1: ListSeats (plus the empty seat of remote sessions),
ListSessions, then each session's Remote, Type and Class; one sample per
seat x remote x type x class, counting the sessions with those values. Type
and class values logind may add later count as "other". A session whose
properties cannot be read is left out.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pyexporter.dbus import Connection, DBusCollector, DBusError, go_variant_string, property_value
from pyexporter.errors import ParseError
from pyexporter.metrics import NAMESPACE, MetricFamily, build_name, gauge
from pyexporter.registry import register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)

LOGIND_BUS_NAME = "org.freedesktop.login1"
LOGIND_PATH = "/org/freedesktop/login1"
MANAGER_INTERFACE = "org.freedesktop.login1.Manager"
SESSION_INTERFACE = "org.freedesktop.login1.Session"

# logind's values as of systemd v229, as node_exporter lists them.
REMOTE_VALUES = ("true", "false")
TYPE_VALUES = ("other", "unspecified", "tty", "x11", "wayland", "mir", "web")
CLASS_VALUES = ("other", "user", "greeter", "lock-screen", "background")


@dataclass(frozen=True, slots=True)
class SessionEntry:
    """One entry of ListSessions (`a(susso)`)."""

    session_id: str
    user_id: int
    user_name: str
    seat_id: str
    path: str


@dataclass(frozen=True, slots=True)
class Session:
    """What a session is counted by."""

    seat: str
    remote: str
    type: str
    session_class: str


def _array_of_structs(body: tuple[Any, ...], types: tuple[type, ...], what: str) -> list[tuple[Any, ...]]:
    if len(body) != 1 or not isinstance(body[0], list):
        raise ParseError(f"{what} reply is not one array: {body!r:.80}")
    out = []
    for entry in body[0]:
        if (not isinstance(entry, tuple) or len(entry) != len(types)
                or any(not isinstance(value, kind) or isinstance(value, bool)
                       for value, kind in zip(entry, types, strict=True))):
            raise ParseError(f"{what} entry of the wrong shape: {entry!r:.80}")
        out.append(entry)
    return out


def parse_list_seats(body: tuple[Any, ...]) -> list[str]:
    """The seat ids of Manager.ListSeats (`a(so)`), then "" for sessions without a seat (SSH)."""
    return [entry[0] for entry in _array_of_structs(body, (str, str), "ListSeats")] + [""]


def parse_list_sessions(body: tuple[Any, ...]) -> list[SessionEntry]:
    """Manager.ListSessions (`a(susso)`) as SessionEntry records."""
    entries = []
    for entry in _array_of_structs(body, (str, int, str, str, str), "ListSessions"):
        if not 0 <= entry[1] <= 0xFFFFFFFF:
            raise ParseError(f"ListSessions user id out of range: {entry[1]}")
        entries.append(SessionEntry(*entry))
    return entries


def known_or_other(value: str, known: tuple[str, ...]) -> str:
    return value if value in known else "other"


def make_session(entry: SessionEntry, remote: tuple[Any, ...], session_type: tuple[Any, ...],
                 session_class: tuple[Any, ...]) -> Session:
    """A session from the Properties.Get replies of its Remote, Type and Class.

    Remote is taken as godbus prints it ("true"/"false" for a boolean); Type
    and Class must be strings.
    """
    return Session(entry.seat_id, go_variant_string(remote),
                   known_or_other(property_value(session_type, "s"), TYPE_VALUES),
                   known_or_other(property_value(session_class, "s"), CLASS_VALUES))


@register
class LogindCollector(DBusCollector):
    name = "logind"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.sessions_desc = gauge(build_name(NAMESPACE, "logind", "sessions"),
                                   "Number of sessions registered in logind.",
                                   "seat", "remote", "type", "class")

    def collect(self) -> Iterator[MetricFamily]:
        with self.connect() as conn:
            try:
                seats = parse_list_seats(conn.call(LOGIND_PATH, MANAGER_INTERFACE, "ListSeats",
                                                   destination=LOGIND_BUS_NAME))
            except (DBusError, ParseError) as exc:
                raise DBusError(f"unable to get seats: {exc}") from None
            try:
                entries = parse_list_sessions(conn.call(LOGIND_PATH, MANAGER_INTERFACE, "ListSessions",
                                                        destination=LOGIND_BUS_NAME))
            except (DBusError, ParseError) as exc:
                raise DBusError(f"unable to get sessions: {exc}") from None
            counts: Counter[Session] = Counter()
            for entry in entries:
                session = self._session(conn, entry)
                if session is not None:
                    counts[session] += 1
        family = self.sessions_desc.family()
        for remote in REMOTE_VALUES:
            for session_type in TYPE_VALUES:
                for session_class in CLASS_VALUES:
                    for seat in seats:
                        family.add(counts[Session(seat, remote, session_type, session_class)],
                                   seat, remote, session_type, session_class)
        yield family

    def _session(self, conn: Connection, entry: SessionEntry) -> Session | None:
        try:
            replies = [conn.get_property(LOGIND_BUS_NAME, entry.path, SESSION_INTERFACE, name)
                       for name in ("Remote", "Type", "Class")]
            return make_session(entry, *replies)
        except (DBusError, ParseError) as exc:
            log.debug("couldn't read session", extra={"session": entry.path, "err": str(exc)})
            return None
