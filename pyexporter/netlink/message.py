"""Netlink framing: the messages of a datagram, the attributes of a message, error payloads.

Pure functions over bytes (include/uapi/linux/netlink.h). Lengths are checked
as mdlayher/netlink (node_exporter's netlink library) checks them: a header or
attribute that is shorter than its own header or runs past its container is
a ParseError, never an exception of another kind.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from typing import NamedTuple

from pyexporter.errors import ParseError

#: struct nlmsghdr: length, type, flags, sequence number, port id (native byte order).
HEADER = struct.Struct("=IHHII")
#: struct nlattr: length, type.
ATTR_HEADER = struct.Struct("=HH")
_ERRNO = struct.Struct("=i")
_U32 = struct.Struct("=I")

# Message types every netlink family shares.
NLMSG_NOOP = 1
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLMSG_OVERRUN = 4

# Header flags.
NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_ACK = 0x4
#: Set by the kernel on the messages of a dump whose table changed while it was read.
NLM_F_DUMP_INTR = 0x10
NLM_F_DUMP = 0x300
#: On NLMSG_ERROR: the request's payload is left out of the error (only its header is quoted).
NLM_F_CAPPED = 0x100
#: On NLMSG_ERROR/NLMSG_DONE: extended acknowledgement attributes follow.
NLM_F_ACK_TLVS = 0x200
#: NLMSGERR_ATTR_MSG: the kernel's text for an error.
NLMSGERR_ATTR_MSG = 1

#: The type bits of nla_type, without NLA_F_NESTED and NLA_F_NET_BYTEORDER.
NLA_TYPE_MASK = 0x3FFF


class Message(NamedTuple):
    type: int
    flags: int
    seq: int
    pid: int
    payload: bytes


def align(length: int) -> int:
    """NLMSG_ALIGN / NLA_ALIGN: lengths are padded to four bytes."""
    return (length + 3) & ~3


def request(msg_type: int, flags: int, seq: int, payload: bytes, pid: int = 0) -> bytes:
    """One request message: the header, then the payload (already padded by its builder)."""
    return HEADER.pack(HEADER.size + len(payload), msg_type, flags, seq, pid) + payload


def split_messages(data: bytes) -> list[Message]:
    """The messages of one datagram, in order."""
    messages = []
    offset, end = 0, len(data)
    while offset < end:
        if end - offset < HEADER.size:
            raise ParseError(f"netlink: {end - offset} bytes left, too short for a message header")
        length, msg_type, flags, seq, pid = HEADER.unpack_from(data, offset)
        if length < HEADER.size or length > end - offset:
            raise ParseError(f"netlink: message length {length} with {end - offset} bytes left")
        messages.append(Message(msg_type, flags, seq, pid, data[offset + HEADER.size:offset + length]))
        offset += align(length)
    return messages


def attribute_spans(data: bytes, start: int = 0) -> Iterator[tuple[int, int, int]]:
    """(type, first byte, end) of each attribute in data[start:], the type without its flag bits."""
    offset, end = start, len(data)
    while offset < end:
        if end - offset < ATTR_HEADER.size:
            raise ParseError(f"netlink: {end - offset} bytes left, too short for an attribute header")
        length, attr_type = ATTR_HEADER.unpack_from(data, offset)
        if length < ATTR_HEADER.size or length > end - offset:
            raise ParseError(f"netlink: attribute length {length} with {end - offset} bytes left")
        yield attr_type & NLA_TYPE_MASK, offset + ATTR_HEADER.size, offset + length
        offset += align(length)


def attributes(data: bytes, start: int = 0) -> list[tuple[int, bytes]]:
    """(type, value) of each attribute in data[start:], in order (a type may repeat)."""
    return [(attr_type, data[first:last]) for attr_type, first, last in attribute_spans(data, start)]


def last_attributes(data: bytes, start: int, wanted: frozenset[int]) -> dict[int, bytes]:
    """The value of the last attribute of each wanted type, as Go's decoders keep the last one."""
    found = {}
    for attr_type, first, last in attribute_spans(data, start):
        if attr_type in wanted:
            found[attr_type] = data[first:last]
    return found


def c_string(value: bytes) -> bytes:
    """A NUL-terminated string attribute without its NULs (nlenc.String trims every trailing NUL)."""
    return value.rstrip(b"\0")


def u32(value: bytes, what: str) -> int:
    if len(value) != 4:
        raise ParseError(f"netlink: {what} is {len(value)} bytes, not a uint32")
    return _U32.unpack(value)[0]


def error_code(message: Message) -> int:
    """The errno of an NLMSG_ERROR (0 for an acknowledgement) or of a dump's NLMSG_DONE (0 if none)."""
    payload = message.payload
    if message.type == NLMSG_DONE and not payload:
        return 0
    if len(payload) < _ERRNO.size:
        raise ParseError(f"netlink: {len(payload)}-byte error payload of message type {message.type}")
    return -_ERRNO.unpack_from(payload)[0]


def error_text(message: Message) -> str:
    """The kernel's extended acknowledgement text (NLMSGERR_ATTR_MSG) of an error, or ""."""
    if not message.flags & NLM_F_ACK_TLVS:
        return ""
    payload = message.payload
    start = _ERRNO.size
    if message.type == NLMSG_ERROR:
        # The request it answers is quoted first: its header, and its payload unless NLM_F_CAPPED.
        if len(payload) < start + HEADER.size:
            return ""
        (length,) = _U32.unpack_from(payload, start)
        start += HEADER.size if message.flags & NLM_F_CAPPED else align(length)
    try:
        for attr_type, value in attributes(payload, start):
            if attr_type == NLMSGERR_ATTR_MSG:
                return c_string(value).decode("utf-8", "replace")
    except ParseError:
        pass  # the text only adds to the errno; a malformed one is left out
    return ""


class NetlinkError(OSError):
    """The kernel refused a request: its errno, and its extended acknowledgement text if it sent one."""


def take_reply(messages: list[Message], seq: int, port: int, replies: list[Message]) -> bool:
    """Add one datagram's answers to `replies`; True once the reply is complete.

    A dump ends with NLMSG_DONE, a single answer with its datagram (no
    NLM_F_MULTI), an acknowledgement with NLMSG_ERROR 0. A message answering
    another request or sent to another port is a ParseError, as in
    mdlayher/netlink's Validate (a port id of 0 is the kernel's multicast).
    """
    more = False
    for msg in messages:
        if msg.seq != seq:
            raise ParseError(f"netlink: a reply to request {msg.seq} where {seq} was asked")
        if msg.pid not in (port, 0):
            raise ParseError(f"netlink: a reply for port {msg.pid}, this socket is {port}")
        if msg.type == NLMSG_NOOP:
            continue
        if msg.type in (NLMSG_ERROR, NLMSG_DONE):
            code = error_code(msg)
            if code:
                text = error_text(msg)
                raise NetlinkError(code, f"{os.strerror(code)}: {text}" if text else os.strerror(code))
            return True
        if msg.type == NLMSG_OVERRUN:
            raise ParseError("netlink: the kernel lost messages of this reply (NLMSG_OVERRUN)")
        replies.append(msg)
        if msg.flags & NLM_F_MULTI:
            more = True
    return not more and bool(messages)
