import pytest

from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree

SWAPS = (
    "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
    "/dev/zram0                              partition\t8388604\t\t76\t\t100\n"
    "/swap\\040file                           file\t\t1024\t\t0\t\t-2\n"
)


def test_swap_collector(tmp_path):
    write_tree(tmp_path, {"proc/swaps": SWAPS})
    collector = make_collector("swap", tmp_path)
    got = samples(collector.collect())
    assert got['node_swap_size_bytes{device="/dev/zram0",swap_type="partition"}'] == 8388604 * 1024
    assert got['node_swap_used_bytes{device="/dev/zram0",swap_type="partition"}'] == 76 * 1024
    assert got['node_swap_priority{device="/swap\\040file",swap_type="file"}'] == -2
    assert len(got) == 6
    text = collect_text(collector)
    assert "# HELP node_swap_size_bytes Swap device size in bytes.\n" in text
    assert "# TYPE node_swap_size_bytes gauge\n" in text
    assert "# HELP node_swap_used_bytes Swap device used in bytes.\n" in text
    assert "# HELP node_swap_priority Swap device priority.\n" in text


def test_swap_malformed_line(tmp_path):
    write_tree(tmp_path, {"proc/swaps": SWAPS + "/dev/sdb1 partition\n"})
    with pytest.raises(ParseError):
        list(make_collector("swap", tmp_path).collect())


def test_swap_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(make_collector("swap", tmp_path).collect())
