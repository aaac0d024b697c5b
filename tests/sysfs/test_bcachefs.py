"""bcachefs's sysfs parsers, as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.sysfs import bcachefs


@pytest.mark.parametrize(("parse", "text", "value"), [
    *((bcachefs.parse_human_bytes, text, value) for text, value in (
        ("2.05G", 2201170739), ("720", 720), (" 1.26k ", 1290), ("10.8T", 11874725579980), ("1 k", 1024),
        ("0", 0), ("1e3", 1000),
        # procfs's TestParseHumanReadableBytes.
        ("542k", 555008), ("322M", 337641472), ("1.5G", 1610612736), ("112k", 114688), ("405", 405),
    )),
    (bcachefs.parse_compression_stats, "header\nzstd 226G 603G 115k\nshort 1\n",
     {"zstd": (242665652224, 647466319872)}),
    (bcachefs.parse_errors, "a 1\nb 2 3\nlonely\n", {"a": 1, "b": 2}),
    (bcachefs.parse_btree_write_stats, "hdr\nx: 1 2k\n", {"x": (1, 2048)}),
    (bcachefs.parse_io_done, "junk: 5\nread:\n a : 1\nnocolon\nwrite:\n b: 2\n",
     {"read": {"a": 1}, "write": {"b": 2}}),
    (bcachefs.parse_io_errors,
     "before: 3\nIO errors since filesystem creation\n read: 1\nIO errors since x\n read: 9\n", {"read": 1}),
    (bcachefs.parse_counter, "since filesystem creation: 2.0k\n", 2048),
])
def test_parses(parse, text, value):
    assert parse(text) == value


@pytest.mark.parametrize(("parse", "text"), [
    *((bcachefs.parse_human_bytes, text) for text in ("", "k", "abc", "-1", "1_0", "nan", "1e30E")),
    (bcachefs.parse_compression_stats, "h\nlz4 x 1\n"),
    (bcachefs.parse_errors, "a -1\n"),
    (bcachefs.parse_errors, "a 1 soon\n"),
    (bcachefs.parse_btree_write_stats, "h\nx: many 1\n"),
    (bcachefs.parse_io_done, "read:\nbtree: lots\n"),
    (bcachefs.parse_io_errors, "IO errors since filesystem creation\n read: x\n"),
    (bcachefs.parse_counter, ""),
    (bcachefs.parse_counter, "since mount: x\n"),
])
def test_rejects(parse, text):
    with pytest.raises(ParseError):
        parse(text)


def test_procfs_counter_human_readable():
    # procfs's TestParseCounterFileHumanReadable: the creation count, in bytes.
    assert bcachefs.parse_counter("since mount: 2.05G\nsince filesystem creation: 1.5T\n") == \
        bcachefs.parse_human_bytes("1.5T")


def test_procfs_bcachefs_stats(procfs_fixtures):
    # procfs's TestFSBcachefsStats, file by file.
    fs = procfs_fixtures / "sys/fs/bcachefs/deadbeef-1234-5678-9012-abcdefabcdef"
    assert bcachefs.parse_human_bytes((fs / "btree_cache_size").read_text().strip()) == 1610612736
    assert bcachefs.parse_compression_stats((fs / "compression_stats").read_text())["lz4"][0] != 0
    assert bcachefs.parse_errors((fs / "errors").read_text())["btree_node_read_err"] == 5
    assert bcachefs.parse_counter((fs / "counters/btree_node_read").read_text()) == 67890
    assert bcachefs.parse_btree_write_stats((fs / "btree_write_stats").read_text())["initial"][0] == 19088
    assert bcachefs.parse_io_errors((fs / "dev-1/io_errors").read_text())["read"] == 197346
    assert bcachefs.parse_io_done((fs / "dev-1/io_done").read_text())["read"]["btree"] == 4411097088
