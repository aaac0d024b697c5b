"""bcachefs's sysfs parsers, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.sysfs.bcachefs import (
    parse_btree_write_stats,
    parse_compression_stats,
    parse_counter,
    parse_errors,
    parse_human_bytes,
    parse_io_done,
    parse_io_errors,
)


@pytest.mark.parametrize(("text", "value"), [
    ("2.05G", 2201170739), ("720", 720), (" 1.26k ", 1290), ("10.8T", 11874725579980), ("1 k", 1024),
    ("0", 0), ("1e3", 1000),
])
def test_parse_human_bytes(text, value):
    assert parse_human_bytes(text) == value


@pytest.mark.parametrize("text", ["", "k", "abc", "-1", "1_0", "nan", "1e30E"])
def test_parse_human_bytes_rejects(text):
    with pytest.raises(ParseError):
        parse_human_bytes(text)


def test_parse_sections():
    assert parse_compression_stats("header\nzstd 226G 603G 115k\nshort 1\n") == {
        "zstd": (242665652224, 647466319872)}
    assert parse_errors("a 1\nb 2 3\nlonely\n") == {"a": 1, "b": 2}
    assert parse_btree_write_stats("hdr\nx: 1 2k\n") == {"x": (1, 2048)}
    assert parse_io_done("junk: 5\nread:\n a : 1\nnocolon\nwrite:\n b: 2\n") == {
        "read": {"a": 1}, "write": {"b": 2}}
    errors = "before: 3\nIO errors since filesystem creation\n read: 1\nIO errors since x\n read: 9\n"
    assert parse_io_errors(errors) == {"read": 1}
    assert parse_counter("since filesystem creation: 2.0k\n") == 2048


@pytest.mark.parametrize(("parse", "text"), [
    (parse_compression_stats, "h\nlz4 x 1\n"),
    (parse_errors, "a -1\n"),
    (parse_errors, "a 1 soon\n"),
    (parse_btree_write_stats, "h\nx: many 1\n"),
    (parse_io_done, "read:\nbtree: lots\n"),
    (parse_io_errors, "IO errors since filesystem creation\n read: x\n"),
    (parse_counter, ""),
    (parse_counter, "since mount: x\n"),
])
def test_parse_sections_reject(parse, text):
    with pytest.raises(ParseError):
        parse(text)


@pytest.mark.parametrize(("text", "value"), [
    # procfs's TestParseHumanReadableBytes.
    ("542k", 555008), ("322M", 337641472), ("1.5G", 1610612736), ("112k", 114688), ("405", 405),
])
def test_procfs_human_readable_bytes(text, value):
    assert parse_human_bytes(text) == value


def test_procfs_counter_human_readable():
    # procfs's TestParseCounterFileHumanReadable: the creation count, in bytes.
    assert parse_counter("since mount: 2.05G\nsince filesystem creation: 1.5T\n") == parse_human_bytes("1.5T")


def test_procfs_bcachefs_stats(procfs_fixtures):
    # procfs's TestFSBcachefsStats, file by file.
    fs = procfs_fixtures / "sys/fs/bcachefs/deadbeef-1234-5678-9012-abcdefabcdef"
    assert parse_human_bytes((fs / "btree_cache_size").read_text().strip()) == 1610612736
    assert parse_compression_stats((fs / "compression_stats").read_text())["lz4"][0] != 0
    assert parse_errors((fs / "errors").read_text())["btree_node_read_err"] == 5
    assert parse_counter((fs / "counters/btree_node_read").read_text()) == 67890
    assert parse_btree_write_stats((fs / "btree_write_stats").read_text())["initial"][0] == 19088
    assert parse_io_errors((fs / "dev-1/io_errors").read_text())["read"] == 197346
    assert parse_io_done((fs / "dev-1/io_done").read_text())["read"]["btree"] == 4411097088
