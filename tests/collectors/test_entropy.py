import pytest

from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree

RANDOM = "proc/sys/kernel/random"


def test_entropy_collector(tmp_path):
    write_tree(tmp_path, {f"{RANDOM}/entropy_avail": "1337\n", f"{RANDOM}/poolsize": "4096\n"})
    collector = make_collector("entropy", tmp_path)
    assert samples(collector.collect()) == {"node_entropy_available_bits": 1337,
                                            "node_entropy_pool_size_bits": 4096}
    assert "# HELP node_entropy_pool_size_bits Bits of entropy pool.\n" in collect_text(collector)


def test_entropy_missing_poolsize_fails(tmp_path):
    write_tree(tmp_path, {f"{RANDOM}/entropy_avail": "1337\n"})
    with pytest.raises(ParseError):
        list(make_collector("entropy", tmp_path).collect())


def test_entropy_missing_directory_fails(tmp_path):
    with pytest.raises(ParseError):
        list(make_collector("entropy", tmp_path).collect())


def test_entropy_malformed_optional_file_fails(tmp_path):
    # procfs parses every file of the directory it knows; a broken one fails the read.
    write_tree(tmp_path, {f"{RANDOM}/entropy_avail": "1337\n", f"{RANDOM}/poolsize": "4096\n",
                          f"{RANDOM}/write_wakeup_threshold": "lots\n"})
    with pytest.raises(ParseError):
        list(make_collector("entropy", tmp_path).collect())


def test_entropy_empty_file_fails(tmp_path):
    write_tree(tmp_path, {f"{RANDOM}/entropy_avail": "", f"{RANDOM}/poolsize": "4096\n"})
    with pytest.raises(ParseError):
        list(make_collector("entropy", tmp_path).collect())
