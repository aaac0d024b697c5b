"""A private dbus-daemon and fake D-Bus services written with jeepney, for the systemd and logind tests.

`private_bus` starts `dbus-daemon` on a socket in a temporary folder; a
`FakeService` owns a bus name on it and answers method calls from a table the
test fills: {(path, interface, member): handler}. Properties.Get is answered
from {(path, interface, property): (signature, value)}. A handler returns
(signature, body) for a reply, `Fail(name)` for an error reply, or `NO_REPLY`
to leave the call unanswered (a hung service); a property may also be a
callable returning any of these.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pyexporter.dbus import DBusCollector
from tests.support import make_collector, stop_process

DBUS_DAEMON = shutil.which("dbus-daemon")


def impatient(name: str, root: Path, call_timeout: float) -> DBusCollector:
    """The D-Bus collector `name` on `root`, each of its calls given up after `call_timeout` seconds
    (5 s otherwise): for the tests of a service that does not answer."""
    collector = make_collector(name, root)
    assert isinstance(collector, DBusCollector)
    collector.call_timeout = call_timeout
    return collector


def require_jeepney() -> None:
    """Skip the calling test when jeepney is missing."""
    try:
        import jeepney  # noqa: F401
    except ImportError:
        pytest.skip("jeepney is not installed (pip install jeepney)")


def require_dbus() -> None:
    """Skip the calling test when the D-Bus pieces are missing."""
    if DBUS_DAEMON is None:
        pytest.skip("dbus-daemon is not installed (Debian package dbus-daemon)")
    require_jeepney()


@contextlib.contextmanager
def private_bus(folder: Path, socket: Path | None = None) -> Iterator[str]:
    """A dbus-daemon of our own, listening on `socket` (default folder/bus); yields its address."""
    require_dbus()
    socket = socket or folder / "bus"
    config = folder / "bus.conf"
    # A session-style bus: anyone may own any name and call anything.
    config.write_text(f"""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
""")
    proc = subprocess.Popen([DBUS_DAEMON, f"--config-file={config}", "--nofork", "--print-address=1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        address = proc.stdout.readline().strip() if proc.stdout else ""
        if not address:
            proc.kill()
            pytest.skip(f"dbus-daemon did not start: {proc.communicate()[1][:200]}")
        yield address
    finally:
        stop_process(proc)


@dataclass(frozen=True)
class Fail:
    """An error reply."""

    name: str = "org.freedesktop.DBus.Error.Failed"
    text: str = "failed on purpose"


NO_REPLY = object()

Handler = Callable[[Any], Any]


@dataclass
class FakeService:
    """A D-Bus service on a bus, answering from tables, in a thread of its own."""

    address: str
    bus_name: str
    methods: dict[tuple[str, str, str], Handler] = field(default_factory=dict)
    properties: dict[tuple[str, str, str], tuple[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, str, str, tuple[Any, ...]]] = field(default_factory=list)
    hang: bool = False

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> FakeService:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fake D-Bus service did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _serve(self) -> None:
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        with open_dbus_connection(self.address) as conn:
            conn.send_and_get_reply(message_bus.RequestName(self.bus_name), timeout=5)
            self._ready.set()
            while not self._stop.is_set():
                try:
                    msg = conn.receive(timeout=0.05)
                except TimeoutError:
                    continue
                reply = self._reply_to(msg)
                if reply is not None:
                    conn.send(reply)

    def _reply_to(self, msg: Any) -> Any:
        """The reply to a received message (recorded in `calls` if a method call); None for none."""
        from jeepney import MessageType, new_error, new_method_return
        from jeepney.low_level import HeaderFields

        if msg.header.message_type != MessageType.method_call:
            return None
        fields = msg.header.fields
        key = (fields.get(HeaderFields.path), fields.get(HeaderFields.interface, ""),
               fields.get(HeaderFields.member))
        self.calls.append((*key, tuple(msg.body)))
        if self.hang:
            return None
        answer = self._answer(key, msg.body)
        if answer is NO_REPLY:
            return None
        if isinstance(answer, Fail):
            return new_error(msg, answer.name, "s", (answer.text,))
        return new_method_return(msg, *answer)

    def _answer(self, key: tuple[str, str, str], body: tuple[Any, ...]) -> Any:
        path, interface, member = key
        if interface == "org.freedesktop.DBus.Properties" and member == "Get":
            prop = self.properties.get((path, body[0], body[1]))
            if callable(prop):  # computed (or delayed) on each call
                prop = prop()
            if prop is None:
                return Fail("org.freedesktop.DBus.Error.UnknownProperty", f"no {body[0]}.{body[1]}")
            if isinstance(prop, Fail) or prop is NO_REPLY:
                return prop
            return ("v", (prop,))
        handler = self.methods.get(key)
        if handler is None:
            return Fail("org.freedesktop.DBus.Error.UnknownMethod", f"no {interface}.{member}")
        return handler(body)


class FakePeer(FakeService):
    """A direct (peer-to-peer) D-Bus server on a unix socket, as systemd's /run/systemd/private:
    no bus daemon, no Hello, one client at a time. `address` is the socket path."""

    def _serve(self) -> None:
        import socket

        from jeepney.low_level import Parser

        with socket.socket(socket.AF_UNIX) as server:
            server.bind(self.address)
            server.listen(4)
            server.settimeout(0.05)
            self._ready.set()
            while not self._stop.is_set():
                try:
                    client, _ = server.accept()
                except TimeoutError:
                    continue
                with client:
                    client.settimeout(0.05)
                    buffer = b""
                    # The server half of the SASL exchange: accept EXTERNAL, wait for BEGIN.
                    while b"BEGIN\r\n" not in buffer and not self._stop.is_set():
                        try:
                            data = client.recv(4096)
                        except TimeoutError:
                            continue
                        if not data:
                            break
                        buffer += data
                        if b"AUTH EXTERNAL" in data:
                            client.sendall(b"OK 0123456789abcdef0123456789abcdef\r\n")
                    parser = Parser()
                    parser.add_data(buffer.split(b"BEGIN\r\n", 1)[-1])
                    while not self._stop.is_set():
                        msg = parser.get_next_message()
                        if msg is None:
                            try:
                                data = client.recv(65536)
                            except TimeoutError:
                                continue
                            if not data:
                                break
                            parser.add_data(data)
                            continue
                        reply = self._reply_to(msg)
                        if reply is not None:
                            client.sendall(reply.serialise(serial=len(self.calls)))
