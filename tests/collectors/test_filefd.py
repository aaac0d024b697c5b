import pytest

from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree


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
