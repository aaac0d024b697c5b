"""sock_diag messages for TCP sockets (include/uapi/linux/sock_diag.h, inet_diag.h).

The request node_exporter's tcpstat collector sends (SOCK_DIAG_BY_FAMILY, every
TCP state) and the fixed part of each answer (struct inet_diag_msg); pure.
"""

from __future__ import annotations

import socket
import struct
from typing import NamedTuple

from pyexporter.errors import ParseError

#: The netlink protocol of sock_diag (NETLINK_SOCK_DIAG, once NETLINK_INET_DIAG).
NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
#: TCPF_ALL: a bit for each of the 11 TCP states (and TCP_NEW_SYN_RECV).
TCPF_ALL = 0xFFF

#: struct inet_diag_req_v2: family, protocol, ext, pad, states, and a zeroed inet_diag_sockid (48 bytes).
INET_DIAG_REQ_V2 = struct.Struct("=BBBxI48x")
#: struct inet_diag_msg: family, state, timer, retrans, inet_diag_sockid, expires, rqueue, wqueue, uid, inode.
INET_DIAG_MSG = struct.Struct("=BBBB48xIIIII")


class InetDiagMessage(NamedTuple):
    family: int
    state: int
    rqueue: int
    wqueue: int
    uid: int
    inode: int


def tcp_sockets_request(family: int) -> bytes:
    """Every TCP socket of `family` in every state, without extensions (counting needs none)."""
    return INET_DIAG_REQ_V2.pack(family, socket.IPPROTO_TCP, 0, TCPF_ALL)


def inet_diag_from_message(payload: bytes) -> InetDiagMessage:
    """The fixed part of one inet_diag_msg; its attributes are not read."""
    if len(payload) < INET_DIAG_MSG.size:
        raise ParseError(f"inet_diag_msg of {len(payload)} bytes, shorter than {INET_DIAG_MSG.size}")
    family, state, _timer, _retrans, _expires, rqueue, wqueue, uid, inode = INET_DIAG_MSG.unpack_from(payload)
    return InetDiagMessage(family, state, rqueue, wqueue, uid, inode)
