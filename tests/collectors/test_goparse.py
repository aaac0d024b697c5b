import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.kernel_hung import parse_hung_task_detect_count
from collectors.selinux import parse_avc_cache_stats, parse_avc_hash_stats, parse_config_mode, parse_enforce
from collectors.zfs import parse_kstat_named, parse_objset, parse_pool_io, parse_pool_state
from pyexporter.errors import ParseError
from pyexporter.procfs.goparse import go_fields, go_lines, parse_int, parse_uint, parse_uint_base0
from pyexporter.procfs.ipvs import parse_ipvs_backend_status, parse_ipvs_stats
from pyexporter.procfs.nfs import parse_client_rpc_stats, parse_server_rpc_stats
from pyexporter.procfs.schedstat import parse_schedstat


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("\n", [""]),
        ("a\nb", ["a", "b"]),
        ("a\nb\n", ["a", "b"]),
        ("a\r\nb\r\n", ["a", "b"]),
        ("a\n\nb\n", ["a", "", "b"]),
        ("a\x0cb\x1cc\n", ["a\x0cb\x1cc"]),  # unlike str.splitlines
    ],
)
def test_go_lines(text, expected):
    assert go_lines(text) == expected


def test_go_lines_rejects_overlong_line():
    with pytest.raises(ParseError):
        go_lines("x" * (64 * 1024) + "\n")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("", []),
        ("  a  b\tc\n", ["a", "b", "c"]),
        ("a\x1cb", ["a\x1cb"]),  # Go's IsSpace does not include the information separators
        ("a\xa0b\u3000c", ["a", "b", "c"]),
    ],
)
def test_go_fields(line, expected):
    assert go_fields(line) == expected


@pytest.mark.parametrize(
    ("text", "base", "bits", "expected"),
    [
        ("0", 10, 64, 0),
        ("18446744073709551615", 10, 64, 2**64 - 1),
        ("0CEA", 16, 16, 0x0CEA),
        ("ffff", 16, 16, 0xFFFF),
        ("007", 10, 64, 7),
    ],
)
def test_parse_uint(text, base, bits, expected):
    assert parse_uint(text, base, bits) == expected


@pytest.mark.parametrize(
    ("text", "base", "bits"),
    [
        ("", 10, 64), ("-1", 10, 64), ("+1", 10, 64), (" 1", 10, 64), ("1_000", 10, 64),
        ("18446744073709551616", 10, 64), ("10000", 16, 16), ("0x10", 16, 64), ("\u0661", 10, 64),
        ("1.5", 10, 64), ("g", 16, 64),
    ],
)
def test_parse_uint_rejects(text, base, bits):
    with pytest.raises(ParseError):
        parse_uint(text, base, bits)


@pytest.mark.parametrize(("text", "expected"), [("-5", -5), ("+5", 5), ("9223372036854775807", 2**63 - 1)])
def test_parse_int(text, expected):
    assert parse_int(text) == expected


@pytest.mark.parametrize("text", ["", "-", "9223372036854775808", "1e3", " 1"])
def test_parse_int_rejects(text):
    with pytest.raises(ParseError):
        parse_int(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10", 10), ("010", 8), ("0x1f", 31), ("0b101", 5), ("0o17", 15), ("0", 0), ("1_000", 1000), ("0_7", 7)],
)
def test_parse_uint_base0(text, expected):
    assert parse_uint_base0(text) == expected


@pytest.mark.parametrize("text", ["", "08", "0x", "1__0", "_1", "1_", "-1", "0x_"])
def test_parse_uint_base0_rejects(text):
    with pytest.raises(ParseError):
        parse_uint_base0(text)


PARSERS = [
    parse_client_rpc_stats, parse_server_rpc_stats, parse_ipvs_stats, parse_ipvs_backend_status,
    parse_schedstat, parse_kstat_named, parse_pool_io, parse_objset, parse_pool_state,
    parse_hung_task_detect_count, parse_avc_cache_stats, parse_avc_hash_stats, parse_enforce,
    parse_config_mode,
]

# Text made of the pieces these files are made of, so that the fuzzer reaches deep branches.
_TOKENS = st.sampled_from([
    "net", "rpc", "proc2", "proc3", "proc4", "proc4ops", "th", "rc", "wdeleg_getattr", "name", "type",
    "data", "nread", "dataset_name", "4", "3", "7", "0", "18", "22", "2", "-1", "99999999999999999999",
    "TCP", "FWM", "->", "C0A80016:0CEA", "[2620:0000:0000:0000:0000:0000:0000:0080]:0050", "cpu0",
    "entries: 5", "buckets used: 1/2", "SELINUX=enforcing", " ", "  ", "\n", "\t", "\x00", "é", "0x1",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_TOKENS, max_size=60).map("".join) | st.text(max_size=200))
def test_parsers_raise_only_parse_error(text):
    for parser in PARSERS:
        try:
            parser(text)
        except ParseError:
            pass
