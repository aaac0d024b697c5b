"""A small blocking D-Bus client for the systemd and logind collectors, on jeepney.

node_exporter talks to systemd and logind through godbus (go-systemd on top of
it for systemd). What matters for the same output is reproduced here:

- the address: the system bus from DBUS_SYSTEM_BUS_ADDRESS (default
  unix:path=/var/run/dbus/system_bus_socket), each `;`-separated address tried
  in turn, or systemd's private socket, which is a direct connection (no bus,
  so no Hello);
- godbus's `Variant.String()`, which node_exporter uses for some properties
  (a string comes back Go-quoted: `"running"`).

Unlike node_exporter (context.TODO(), no limit), every step is bounded in
time: a hung systemd or bus must not hold the collector's worker forever.
Decoding of reply bodies stays in pure functions that raise ParseError.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from itertools import count
from typing import Any

from pyexporter.errors import NoDataError, ParseError
from pyexporter.registry import Collector

#: godbus's default when DBUS_SYSTEM_BUS_ADDRESS is unset or empty.
DEFAULT_SYSTEM_BUS_ADDRESS = "unix:path=/var/run/dbus/system_bus_socket"
#: go-systemd's NewSystemdConnection dials this, whatever the roots are.
SYSTEMD_PRIVATE_ADDRESS = "unix:path=/run/systemd/private"
#: The longest one D-Bus call (or connecting) may take.
CALL_TIMEOUT = 5.0

PROPERTIES_INTERFACE = "org.freedesktop.DBus.Properties"


class DBusError(Exception):
    """A D-Bus call failed: an error reply, a broken connection or no reply in time."""


class DBusTimeout(DBusError):
    """No reply within the call's time limit."""


class DBusErrorReply(DBusError):
    """The peer answered with an error message."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(f"{name}: {text}" if text else name)
        self.name = name


class DeadlineExceeded(Exception):
    """The collection as a whole has run out of time; not a per-call failure to skip."""


def system_bus_address() -> str:
    """The system bus address as godbus finds it, read now (tests point it elsewhere)."""
    return os.environ.get("DBUS_SYSTEM_BUS_ADDRESS") or DEFAULT_SYSTEM_BUS_ADDRESS


def _unescape(value: str) -> str:
    out = bytearray()
    i = 0
    raw = value.encode("utf-8", "surrogatepass")
    while i < len(raw):
        if raw[i] == 0x25:  # '%'
            digits = raw[i + 1:i + 3]
            if len(digits) != 2 or not all(c in b"0123456789abcdefABCDEF" for c in digits):
                raise ParseError(f"bad escape in D-Bus address value {value!r}")
            out.append(int(digits, 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return out.decode("utf-8", "surrogateescape")


def _named_parts(text: str, separator: str, marker: str, problem: str) -> Iterator[tuple[str, str]]:
    """(name, rest) of each non-empty `separator`-separated part of `text`, split at its first `marker`;
    a part without the marker or without a name is a ParseError saying `problem`."""
    for part in text.split(separator):
        if not part:
            continue
        name, found, rest = part.partition(marker)
        if not found or not name:
            raise ParseError(f"{problem}: {part!r}")
        yield name, rest


def parse_bus_addresses(address: str) -> list[str]:
    """The socket addresses of a D-Bus address string, in order.

    Only the unix transport's `path` and `abstract` keys can be dialled here
    (an abstract one gets its leading NUL); other transports are left out.
    Raises ParseError for a string that is not a D-Bus address list.
    """
    sockets: list[str] = []
    for transport, info in _named_parts(address, ";", ":", "D-Bus address without transport"):
        keys = {key: _unescape(value)
                for key, value in _named_parts(info, ",", "=", "bad key=value in D-Bus address")}
        if transport != "unix":
            continue
        if "path" in keys:
            sockets.append(keys["path"])
        elif "abstract" in keys:
            sockets.append("\0" + keys["abstract"])
    return sockets


class Deadline:
    """The time left for a whole collection; every call's timeout is cut to it."""

    __slots__ = ("call_timeout", "end")

    def __init__(self, seconds: float, call_timeout: float = CALL_TIMEOUT) -> None:
        self.end = time.monotonic() + seconds
        self.call_timeout = call_timeout

    def timeout(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise DeadlineExceeded("D-Bus collection ran out of time")
        return min(left, self.call_timeout)


class Connection:
    """One D-Bus connection with blocking, time-bounded method calls."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        from jeepney.low_level import Parser

        self.sock = sock
        self.deadline = deadline
        self.parser = Parser()
        self.serials = count(1)

    @classmethod
    def open(cls, address: str, deadline: Deadline, *, bus: bool = True) -> Connection:
        """Connect, authenticate (EXTERNAL) and, on a bus, say Hello.

        Raises NoDataError when no address can be connected to: the bus (or
        systemd) is absent, refuses us, or does not answer in time.
        """
        try:
            from jeepney.auth import AuthenticationError
            from jeepney.io.blocking import prep_socket
        except ImportError:
            raise DBusError("D-Bus collectors need the Python package jeepney, which is not installed") \
                from None

        try:
            targets = parse_bus_addresses(address)
        except ParseError as exc:
            raise NoDataError(f"invalid D-Bus address {address!r}: {exc}") from None
        if not targets:
            raise NoDataError(f"no usable D-Bus address in {address!r}")
        failures = []
        for target in targets:
            try:
                sock = prep_socket(target, timeout=deadline.timeout())
            except (OSError, AuthenticationError, ValueError) as exc:
                failures.append(f"{target.lstrip(chr(0))}: {exc}")
                continue
            conn = cls(sock, deadline)
            if bus:
                try:
                    conn.call("/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello",
                              destination="org.freedesktop.DBus")
                except DBusError as exc:
                    conn.close()
                    failures.append(f"{target.lstrip(chr(0))}: Hello: {exc}")
                    continue
                except BaseException:
                    conn.close()
                    raise
            return conn
        raise NoDataError("couldn't connect to D-Bus: " + "; ".join(failures))

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, path: str, interface: str, member: str, signature: str = "",
             body: tuple[Any, ...] = (), *, destination: str | None = None) -> tuple[Any, ...]:
        """Call a method and return the decoded body of its reply.

        Raises DBusErrorReply, DBusTimeout or DBusError, and DeadlineExceeded
        once the collection's time is up.
        """
        from jeepney import DBusAddress, new_method_call
        from jeepney.low_level import HeaderFields, MessageType

        timeout = self.deadline.timeout()
        try:
            msg = new_method_call(DBusAddress(path, bus_name=destination, interface=interface),
                                  member, signature or None, body)
        except (ValueError, TypeError) as exc:
            raise DBusError(f"cannot build call {interface}.{member} on {path!r}: {exc}") from None
        serial = next(self.serials)
        end = time.monotonic() + timeout
        try:
            self.sock.settimeout(timeout)
            self.sock.sendall(msg.serialise(serial=serial))
            while True:
                try:
                    reply = self.parser.get_next_message()
                except Exception as exc:  # jeepney raises assorted errors on a garbled stream
                    raise DBusError(f"undecodable D-Bus message: {exc}") from None
                if reply is None:
                    left = end - time.monotonic()
                    if left <= 0:
                        raise DBusTimeout(f"no reply to {interface}.{member} within {timeout:.3g}s")
                    self.sock.settimeout(left)
                    data = self.sock.recv(65536)
                    if not data:
                        raise DBusError("connection closed by peer")
                    self.parser.add_data(data)
                    continue
                if reply.header.fields.get(HeaderFields.reply_serial) != serial:
                    continue  # signals and late replies to calls that timed out
                if reply.header.message_type == MessageType.error:
                    name = reply.header.fields.get(HeaderFields.error_name, "")
                    text = reply.body[0] if reply.body and isinstance(reply.body[0], str) else ""
                    raise DBusErrorReply(str(name), text)
                return tuple(reply.body)
        except TimeoutError:
            raise DBusTimeout(f"no reply to {interface}.{member} within {timeout:.3g}s") from None
        except OSError as exc:
            raise DBusError(f"{interface}.{member}: {exc}") from None

    def get_property(self, destination: str, path: str, interface: str, name: str) -> tuple[Any, ...]:
        """org.freedesktop.DBus.Properties.Get; the reply body (one variant) undecoded."""
        return self.call(path, PROPERTIES_INTERFACE, "Get", "ss", (interface, name),
                         destination=destination)


class DBusCollector(Collector):
    """Base of the collectors that ask over D-Bus (systemd, logind): a connection of their own for each
    collection, every call bounded by `call_timeout` and all of them by the collector timeout."""

    #: The longest one D-Bus call may take; the whole collection is also cut at the engine's
    #: collector timeout.
    call_timeout: float = CALL_TIMEOUT

    def connect(self, address: str | None = None) -> Connection:
        """A connection for this collection: to the system bus, or straight to `address` (systemd's
        private socket: no bus, so no Hello)."""
        deadline = Deadline(self.settings.collector_timeout, self.call_timeout)
        if address is None:
            return Connection.open(system_bus_address(), deadline)
        return Connection.open(address, deadline, bus=False)


def _variant(body: tuple[Any, ...]) -> tuple[str, Any]:
    if len(body) != 1:
        raise ParseError(f"Properties.Get reply with {len(body)} values, expected one variant")
    variant = body[0]
    if not (isinstance(variant, tuple) and len(variant) == 2 and isinstance(variant[0], str)):
        raise ParseError(f"Properties.Get reply is not a variant: {variant!r:.80}")
    return variant


_INT_RANGES = {
    "y": (0, 0xFF), "n": (-(1 << 15), (1 << 15) - 1), "q": (0, 0xFFFF),
    "i": (-(1 << 31), (1 << 31) - 1), "u": (0, 0xFFFFFFFF),
    "x": (-(1 << 63), (1 << 63) - 1), "t": (0, (1 << 64) - 1), "h": (0, 0xFFFFFFFF),
}


def property_value(body: tuple[Any, ...], signature: str) -> Any:
    """The value of a Properties.Get reply whose variant must have this D-Bus type.

    node_exporter type-asserts these values (a string, a uint32, a uint64);
    any other type is a ParseError here.
    """
    sig, value = _variant(body)
    if sig != signature:
        raise ParseError(f"property of type {sig!r}, expected {signature!r}")
    if signature in ("s", "o", "g"):
        if not isinstance(value, str):
            raise ParseError(f"property of type {sig!r} holds {type(value).__name__}")
    elif signature == "b":
        if not isinstance(value, bool):
            raise ParseError(f"boolean property holds {type(value).__name__}")
    elif signature in _INT_RANGES:
        low, high = _INT_RANGES[signature]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ParseError(f"property of type {sig!r} holds {value!r:.40}")
    return value


_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
               "\v": "\\v", "\\": "\\\\", '"': '\\"'}


def go_quote(text: str) -> str:
    """Go's strconv.Quote: double quotes, Go escapes for the non-printable."""
    out = ['"']
    for ch in text:
        if ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif ch == " " or ch.isprintable():
            out.append(ch)
        elif 0xDC80 <= ord(ch) <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


def _go_format(sig: str, value: Any) -> tuple[str, bool]:
    """godbus's Variant.format for scalar types: the text and whether it is unambiguous."""
    if sig == "b" and isinstance(value, bool):
        return ("true" if value else "false"), True
    if sig in _INT_RANGES and isinstance(value, int) and not isinstance(value, bool):
        if sig == "y":
            return f"{value:#x}", False
        return str(value), sig == "i"
    if sig == "s" and isinstance(value, str):
        return go_quote(value), True
    if sig in ("o", "g") and isinstance(value, str):
        return go_quote(value), False
    if sig == "v" and isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        inner, unambiguous = _go_format(*value)
        return (f"<{inner}>" if unambiguous else f"<@{value[0]} {inner}>"), True
    # Doubles, arrays, dicts and structs: godbus formats them too, but no
    # property node_exporter reads this way has such a type.
    raise ParseError(f"cannot format a D-Bus value of type {sig!r}")


def go_variant_string(body: tuple[Any, ...]) -> str:
    """godbus's Variant.String() of a Properties.Get reply (as node_exporter's GetManagerProperty)."""
    sig, value = _variant(body)
    text, unambiguous = _go_format(sig, value)
    return text if unambiguous else f"@{sig} {text}"
