"""NVMe namespace parser, as tables of cases."""

from pyexporter.sysfs.nvme import Namespace, parse_namespace


def test_namespace_bytes_wrap_like_uint64():
    ns = parse_namespace("1", {"size": str(2**63), "nuse": "1", "queue/logical_block_size": "4"})
    assert ns.size_bytes == 0
    assert ns.used_bytes == 4
    assert ns == Namespace("1", "unknown", 1, 2**63, 4)
