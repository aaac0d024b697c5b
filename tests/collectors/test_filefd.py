import pytest

from pyexporter.collectors.filefd import parse_file_nr
from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree


@pytest.mark.parametrize(
    ("data", "expected"),
    [("1024\t0\t1631329\n", (1024.0, 1631329.0)), ("5\t0\t9223372036854775807", (5.0, 9.223372036854776e18)),
     ("1\t2\t3\t4\n", (1.0, 3.0))],
)
def test_parse_file_nr(data, expected):
    assert parse_file_nr(data) == expected


@pytest.mark.parametrize("data", ["", "\n", "1024 0 1631329\n", "1\t2\n", "a\t0\tb\n", "\x00\xff\t\x01\t"])
def test_parse_file_nr_rejects(data):
    with pytest.raises(ParseError):
        parse_file_nr(data)


def test_filefd_collector(tmp_path):
    write_tree(tmp_path, {"proc/sys/fs/file-nr": "1024\t0\t1631329\n"})
    collector = make_collector("filefd", tmp_path)
    assert samples(collector.collect()) == {"node_filefd_allocated": 1024, "node_filefd_maximum": 1631329}
    assert ("# HELP node_filefd_maximum File descriptor statistics: maximum.\n"
            "# TYPE node_filefd_maximum gauge\n") in collect_text(collector)


def test_filefd_empty_malformed_missing(tmp_path):
    collector = make_collector("filefd", tmp_path)
    with pytest.raises(FileNotFoundError):
        list(collector.collect())
    write_tree(tmp_path, {"proc/sys/fs/file-nr": ""})
    with pytest.raises(ParseError):
        list(collector.collect())
    write_tree(tmp_path, {"proc/sys/fs/file-nr": "1024\tzero\n"})
    with pytest.raises(ParseError):
        list(collector.collect())
