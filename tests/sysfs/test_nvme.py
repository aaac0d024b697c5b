"""NVMe namespace parser, as tables of cases."""

from pyexporter.sysfs.nvme import Namespace, parse_namespace


def test_namespace_bytes_wrap_like_uint64():
    ns = parse_namespace("1", {"size": str(2**63), "nuse": "1", "queue/logical_block_size": "4"})
    assert ns.size_bytes == 0
    assert ns.used_bytes == 4
    assert ns == Namespace("1", "unknown", 1, 2**63, 4)


def test_procfs_nvme_class(procfs_fixtures):
    # procfs's TestNVMeClass: the namespace of nvme0 (nvme0n0), its blocks and bytes.
    directory = procfs_fixtures / "sys/class/nvme/nvme0/nvme0n0"
    values = {attr: (directory / attr).read_text().strip()
              for attr in ("nuse", "size", "queue/logical_block_size", "ana_state")}
    namespace = parse_namespace("0", values)
    assert namespace == Namespace("0", "optimized", 488281250, 3906250000, 4096)
    assert (namespace.used_bytes, namespace.size_bytes) == (2000000000000, 16000000000000)


def test_procfs_nvme_namespace():
    # procfs's TestNVMeNamespaceParsingWithMockData and TestNVMeMultipleNamespaces, their namespaces.
    cases = [("1", "123456", "1000215216", "optimized", "512"), ("1", "100000", "2000000000", "optimized",
                                                                 "4096"),
             ("2", "50000", "1000000000", "active", "512")]
    for nsid, nuse, size, ana_state, block in cases:
        namespace = parse_namespace(nsid, {"nuse": nuse, "size": size, "ana_state": ana_state,
                                           "queue/logical_block_size": block})
        assert namespace == Namespace(nsid, ana_state, int(nuse), int(size), int(block))
        assert (namespace.used_bytes, namespace.size_bytes) == (int(nuse) * int(block),
                                                                int(size) * int(block))
