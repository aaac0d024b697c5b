"""Netlink requests over the standard library's AF_NETLINK sockets, each bounded in time.

A request runs in the thread that asks (a collector's worker thread) on a
socket of its own, opened for it and closed after it: no request waits for
another collector's, and nothing of an earlier request (a half-read dump)
outlives it. Opening and binding a socket costs a few microseconds.

Each request has a deadline for its whole reply: before every read the
socket's timeout is set to what is left of it, so a peer that never answers,
or answers one message at a time for ever, costs the collector at most its
timeout, and the collector reports success 0. Reads are bounded: one datagram
is at most RECEIVE_BUFFER bytes (the kernel fills dump datagrams to 32 KiB),
one reply at most MAX_REPLY_BYTES.

What no socket timeout can bound is a request the kernel handles in the
sending thread while it waits for a kernel lock (rtnl_lock held by a stuck
driver): the thread then waits in the kernel, and the scrape engine's
collector timeout reports that collector failed and goes on without it.
"""

from __future__ import annotations

import itertools
import socket
import time

from pyexporter.errors import ParseError
from pyexporter.netlink.message import NLM_F_DUMP, NLM_F_REQUEST, Message, request, split_messages, take_reply

#: Largest datagram read at once. The kernel fills a dump's datagrams to at most 32 KiB (a single
#: message may need more only for requests that ask for VF details, which none here do).
RECEIVE_BUFFER = 64 * 1024
#: Largest reply read for one request (a full BGP table's routes stay well below it).
MAX_REPLY_BYTES = 512 * 1024 * 1024

_sequence = itertools.count(1)


def open_socket(protocol: int) -> tuple[socket.socket, int]:
    """A netlink socket of `protocol` bound to a port the kernel picks, and that port id."""
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, protocol)
    try:
        sock.bind((0, 0))
        port = sock.getsockname()[0]
    except BaseException:
        sock.close()
        raise
    return sock, port


def _next_sequence() -> int:
    return next(_sequence) % 0xFFFFFFFF + 1


def dump(protocol: int, msg_type: int, payload: bytes, timeout: float) -> list[Message]:
    """The messages answering one NLM_F_DUMP request, NLMSG_DONE left out.

    NetlinkError when the kernel refuses it, TimeoutError when its reply has not
    ended within `timeout` seconds, ParseError for a reply that is not netlink.
    """
    return _exchange(protocol, msg_type, NLM_F_REQUEST | NLM_F_DUMP, payload, timeout)


def _exchange(protocol: int, msg_type: int, flags: int, payload: bytes, timeout: float) -> list[Message]:
    deadline = time.monotonic() + timeout
    sock, port = open_socket(protocol)
    with sock:
        seq = _next_sequence()
        replies: list[Message] = []
        received = 0
        try:
            sock.settimeout(timeout)
            sock.send(request(msg_type, flags, seq, payload, port))
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                sock.settimeout(left)
                data, _, msg_flags, _ = sock.recvmsg(RECEIVE_BUFFER)
                if msg_flags & socket.MSG_TRUNC:
                    raise ParseError(f"netlink: a datagram larger than {RECEIVE_BUFFER} bytes")
                if not data:
                    raise ParseError("netlink: an empty datagram")
                received += len(data)
                if received > MAX_REPLY_BYTES:
                    raise ParseError(f"netlink: a reply larger than {MAX_REPLY_BYTES} bytes")
                if take_reply(split_messages(data), seq, port, replies):
                    return replies
        except TimeoutError:
            raise TimeoutError(f"netlink request (type {msg_type}) not answered within {timeout:g}s") \
                from None
