"""pyexporter.netlink.message: framing of datagrams and attributes, errors, and the end of a reply."""

import errno
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyexporter.errors import ParseError
from pyexporter.netlink.message import (
    HEADER,
    NLM_F_ACK_TLVS,
    NLM_F_CAPPED,
    NLM_F_DUMP,
    NLM_F_MULTI,
    NLM_F_REQUEST,
    NLMSG_DONE,
    NLMSG_ERROR,
    NLMSG_NOOP,
    NLMSG_OVERRUN,
    Message,
    NetlinkError,
    attribute_spans,
    attributes,
    c_string,
    error_code,
    error_text,
    last_attributes,
    request,
    split_messages,
    take_reply,
    u32,
)
from tests.netlink.peer import attr, done, error, message


def test_request_header_and_payload():
    raw = request(18, NLM_F_REQUEST | NLM_F_DUMP, 7, b"\x01\x02\x03\x04", pid=99)
    assert raw == struct.pack("=IHHII", 20, 18, 0x301, 7, 99) + b"\x01\x02\x03\x04"
    assert split_messages(raw) == [Message(18, 0x301, 7, 99, b"\x01\x02\x03\x04")]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", []),
        (message(16, b"abcd", seq=3, pid=5), [Message(16, NLM_F_MULTI, 3, 5, b"abcd")]),
        # A payload of 5 bytes is padded to 8; the next message starts after the padding.
        (message(16, b"abcde") + message(3, b""),
         [Message(16, NLM_F_MULTI, 1, 4242, b"abcde"), Message(3, NLM_F_MULTI, 1, 4242, b"")]),
        # The last message's padding may be left out of the datagram.
        (message(16, b"abcde")[:-3], [Message(16, NLM_F_MULTI, 1, 4242, b"abcde")]),
    ],
)
def test_split_messages(data, expected):
    assert split_messages(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"\x10\x00\x00",  # shorter than a header
        message(16, b"abcd")[:-2],  # truncated payload: the length runs past the datagram
        struct.pack("=IHHII", 8, 16, 0, 1, 1),  # a length shorter than the header itself
        struct.pack("=IHHII", 0, 16, 0, 1, 1),  # zero length: would never advance
        message(16, b"") + b"\x01\x02",  # trailing garbage
        b"\xff" * 40,
    ],
)
def test_split_messages_rejects_garbage(data):
    with pytest.raises(ParseError):
        split_messages(data)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", []),
        (attr(3, b"eth0\0"), [(3, b"eth0\0")]),
        (attr(1, b"") + attr(2, b"\x01\x02\x03\x04\x05"), [(1, b""), (2, b"\x01\x02\x03\x04\x05")]),
        # NLA_F_NESTED and NLA_F_NET_BYTEORDER are not part of the type.
        (attr(0x8000 | 7, b"xy") + attr(0x4000 | 8, b"z"), [(7, b"xy"), (8, b"z")]),
        # Types repeat: every one is listed.
        (attr(3, b"a") + attr(3, b"b"), [(3, b"a"), (3, b"b")]),
    ],
)
def test_attributes(data, expected):
    assert attributes(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"\x05",  # shorter than an attribute header
        b"\x05\x00\x03",
        struct.pack("=HH", 2, 3),  # length shorter than its own header
        struct.pack("=HH", 40, 3) + b"abcd",  # length past the end
        attr(3, b"eth0") + b"\x08\x00",  # truncated second header
        b"\xff" * 16,
    ],
)
def test_attributes_reject_garbage(data):
    with pytest.raises(ParseError):
        attributes(data)


def test_attribute_spans_from_an_offset():
    data = b"HEADER__" + attr(5, b"abc")
    assert list(attribute_spans(data, 8)) == [(5, 12, 15)]


def test_last_attributes_keep_the_last_of_each_wanted_type():
    data = attr(3, b"a") + attr(4, b"skip") + attr(3, b"b") + attr(7, b"c")
    assert last_attributes(data, 0, frozenset({3, 7, 9})) == {3: b"b", 7: b"c"}


@pytest.mark.parametrize(("raw", "text"), [(b"eth0\0", b"eth0"), (b"eth0\0\0\0", b"eth0"), (b"", b""),
                                           (b"lo", b"lo")])
def test_c_string(raw, text):
    assert c_string(raw) == text


def test_u32():
    assert u32(struct.pack("=I", 2**32 - 1), "x") == 2**32 - 1
    for raw in (b"", b"\x01\x02", bytes(8)):
        with pytest.raises(ParseError):
            u32(raw, "x")


def _error_message(code: int, flags: int = 0, tail: bytes = b"") -> Message:
    return Message(NLMSG_ERROR, flags, 1, 4242, struct.pack("=i", -code) + tail)


@pytest.mark.parametrize(
    ("msg", "code"),
    [
        (_error_message(0), 0),  # an acknowledgement
        (_error_message(errno.EPERM, tail=bytes(16)), errno.EPERM),
        (Message(NLMSG_DONE, NLM_F_MULTI, 1, 1, b""), 0),
        (Message(NLMSG_DONE, NLM_F_MULTI, 1, 1, struct.pack("=i", 0)), 0),
        (Message(NLMSG_DONE, NLM_F_MULTI, 1, 1, struct.pack("=i", -errno.EMSGSIZE)), errno.EMSGSIZE),
    ],
)
def test_error_code(msg, code):
    assert error_code(msg) == code


@pytest.mark.parametrize("payload", [b"", b"\x01\x02"])
def test_error_code_of_a_short_error(payload):
    with pytest.raises(ParseError):
        error_code(Message(NLMSG_ERROR, 0, 1, 1, payload))


def test_error_text_of_an_extended_acknowledgement():
    quoted = struct.pack("=IHHII", 20, 18, 0, 1, 0) + b"\0" * 4  # the request, payload included
    tlvs = attr(1, b"bad attribute\0") + attr(2, struct.pack("=I", 16))
    assert error_text(_error_message(errno.EINVAL, NLM_F_ACK_TLVS, quoted + tlvs)) == "bad attribute"
    capped = struct.pack("=IHHII", 20, 18, 0, 1, 0)  # only the header is quoted
    assert error_text(_error_message(errno.EINVAL, NLM_F_ACK_TLVS | NLM_F_CAPPED, capped + tlvs)) == \
        "bad attribute"
    assert error_text(_error_message(errno.EINVAL, 0, quoted + tlvs)) == ""  # no TLVs flagged
    assert error_text(_error_message(errno.EINVAL, NLM_F_ACK_TLVS, capped[:10])) == ""
    assert error_text(_error_message(errno.EINVAL, NLM_F_ACK_TLVS | NLM_F_CAPPED, capped + b"\xff" * 5)) == ""


def _take(data: bytes, seq: int = 1, port: int = 4242) -> tuple[bool, list[Message]]:
    replies: list[Message] = []
    return take_reply(split_messages(data), seq, port, replies), replies


def test_a_dump_goes_on_until_done():
    assert _take(message(16, b"a") + message(16, b"b")) == (
        False, [Message(16, NLM_F_MULTI, 1, 4242, b"a"), Message(16, NLM_F_MULTI, 1, 4242, b"b")])
    assert _take(message(16, b"c") + done()) == (True, [Message(16, NLM_F_MULTI, 1, 4242, b"c")])
    assert _take(done()) == (True, [])


def test_a_single_answer_ends_with_its_datagram():
    assert _take(message(16, b"a", flags=0)) == (True, [Message(16, 0, 1, 4242, b"a")])
    assert _take(message(NLMSG_ERROR, struct.pack("=i", 0) + bytes(16), flags=0)) == (True, [])  # an ack


def test_noop_messages_are_skipped():
    assert _take(message(NLMSG_NOOP, b"") + message(16, b"a")) == (
        False, [Message(16, NLM_F_MULTI, 1, 4242, b"a")])


def test_refusals_and_failed_dumps_are_netlink_errors():
    with pytest.raises(NetlinkError) as info:
        _take(error(errno.EPERM))
    assert info.value.errno == errno.EPERM and isinstance(info.value, OSError)
    with pytest.raises(NetlinkError) as info:
        _take(message(16, b"a") + done(error=errno.EBUSY))
    assert info.value.errno == errno.EBUSY


@pytest.mark.parametrize(
    ("data", "seq", "port"),
    [
        (message(16, b"a", seq=2), 1, 4242),  # an answer to another request
        (message(16, b"a", pid=7), 1, 4242),  # sent to another port
        (message(NLMSG_OVERRUN, b""), 1, 4242),
    ],
)
def test_replies_that_do_not_belong_are_rejected(data, seq, port):
    with pytest.raises(ParseError):
        _take(data, seq, port)


def test_port_zero_is_accepted():
    assert _take(message(16, b"a", pid=0) + done(pid=0))[0]


@given(data=st.binary(max_size=200))
def test_framing_raises_only_parse_error(data):
    try:
        messages = split_messages(data)
    except ParseError:
        return
    for msg in messages:
        assert HEADER.size + len(msg.payload) <= len(data)
        try:
            attributes(msg.payload)
            error_code(msg)
            error_text(msg)
            take_reply([msg], msg.seq, msg.pid, [])
        except (ParseError, NetlinkError):
            pass
