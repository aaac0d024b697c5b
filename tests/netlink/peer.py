"""Netlink bytes as the kernel sends them, and a fake kernel behind pyexporter.netlink.conn.open_socket.

FakeKernel hands conn a socketpair end in place of an AF_NETLINK socket; a thread at the other end
reads the request and answers it with what the test's handler builds for that request type (with the
request's sequence number), or stays silent (no handler, or a handler returning None), keeping its end
open so that the reader waits as it would for a kernel that never answers.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable, Iterable

import pytest

from pyexporter.netlink import conn, rtnl
from pyexporter.netlink.message import HEADER, NLM_F_MULTI, NLMSG_DONE, NLMSG_ERROR

#: The port id FakeKernel's sockets report as theirs.
PORT = 4242


def attr(attr_type: int, data: bytes) -> bytes:
    """One netlink attribute, padded to four bytes."""
    raw = struct.pack("=HH", 4 + len(data), attr_type) + data
    return raw + b"\0" * (-len(raw) % 4)


def message(msg_type: int, body: bytes, seq: int = 1, pid: int = PORT, flags: int = NLM_F_MULTI) -> bytes:
    raw = HEADER.pack(HEADER.size + len(body), msg_type, flags, seq, pid) + body
    return raw + b"\0" * (-len(raw) % 4)


def done(seq: int = 1, pid: int = PORT, error: int = 0) -> bytes:
    return message(NLMSG_DONE, struct.pack("=i", -error), seq, pid)


def error(code: int, seq: int = 1, pid: int = PORT) -> bytes:
    """NLMSG_ERROR refusing a request: the negative errno, then the header of the request it answers."""
    return message(NLMSG_ERROR, struct.pack("=i", -code) + bytes(HEADER.size), seq, pid, flags=0)


def link_body(index: int, name: bytes, *attrs: bytes) -> bytes:
    """An RTM_NEWLINK body: interface `index` named `name`, then `attrs`."""
    return rtnl.IFINFOMSG.pack(0, 1, index, 0, 0) + attr(rtnl.IFLA_IFNAME, name + b"\0") + b"".join(attrs)


def stats_body(index: int, start: int = 0) -> bytes:
    """An RTM_NEWSTATS body: interface `index` with the 24 64-bit link counters start, start + 1, ..."""
    counters = struct.pack("=24Q", *range(start, start + 24))
    return rtnl.IF_STATS_MSG.pack(0, index, 1) + attr(rtnl.IFLA_STATS_LINK_64, counters)


#: A handler gets (sequence number, request payload) and returns the datagrams to send, or None to stay
#: silent.
Handler = Callable[[int, bytes], Iterable[bytes] | None]


def dump_of(msg_type: int, bodies: Iterable[bytes], per_datagram: int = 2) -> Handler:
    """A handler answering with a message of `msg_type` per body, `per_datagram` to a datagram, then DONE."""
    def answer(seq: int, _payload: bytes) -> list[bytes]:
        messages = [message(msg_type, body, seq) for body in bodies] + [done(seq)]
        return [b"".join(messages[i:i + per_datagram]) for i in range(0, len(messages), per_datagram)]
    return answer


class FakeKernel:
    """Answers conn's requests by request type.

    Installed with monkeypatch.setattr(conn, "open_socket", kernel.open_socket): the `fake_kernel`
    fixture (tests/conftest.py) does that.

    `passthrough` protocols get a real netlink socket (the running kernel answers them).
    """

    def __init__(self, handlers: dict[int, Handler], passthrough: Iterable[int] = ()) -> None:
        self.handlers = handlers
        self.passthrough = frozenset(passthrough)
        #: (protocol, request type, flags, payload) of every request, in order.
        self.requests: list[tuple[int, int, int, bytes]] = []
        self.sockets: list[socket.socket] = []
        self._silent: list[socket.socket] = []
        self._real_open = conn.open_socket

    def open_socket(self, protocol: int) -> tuple[socket.socket, int]:
        if protocol in self.passthrough:
            return self._real_open(protocol)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sockets.append(ours)
        threading.Thread(target=self._serve, args=(theirs, protocol), daemon=True).start()
        return ours, PORT

    def _serve(self, sock: socket.socket, protocol: int) -> None:
        try:
            data = sock.recv(1 << 16)
        except OSError:
            sock.close()
            return
        _length, msg_type, flags, seq, _pid = HEADER.unpack_from(data)
        self.requests.append((protocol, msg_type, flags, data[HEADER.size:]))
        handler = self.handlers.get(msg_type)
        datagrams = None if handler is None else handler(seq, data[HEADER.size:])
        if datagrams is None:
            self._silent.append(sock)  # kept open: the reader waits, as for a kernel that never answers
            return
        with sock:
            for datagram in datagrams:
                try:
                    sock.send(datagram)
                except OSError:
                    return  # the reader gave up and closed its end

    def close(self) -> None:
        for sock in self._silent:
            sock.close()


def _rtnetlink_available() -> bool:
    try:
        socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE).close()
    except OSError:
        return False
    return True


#: Marks a test that asks the running kernel over rtnetlink: skipped where no such socket opens.
needs_rtnetlink = pytest.mark.skipif(not _rtnetlink_available(), reason="no rtnetlink socket here")
