
from pyexporter.collectors.xfs import METRICS
from tests.procfs.test_xfs import STATS
from tests.support import collect_text, make_collector, samples, symlink, write_tree


def test_xfs(tmp_path):
    write_tree(tmp_path, {
        "sys/fs/xfs/sda1/stats/stats": STATS,
        "sys/fs/xfs/stats/stats": STATS,  # the global sum: not a filesystem
        "sys/fs/xfs/sdb1/stats/stats": "extent_alloc 1 2 3\n",  # malformed: skipped
        "sys/fs/xfs/sdc1/stats/stats/": None,  # unreadable: skipped
        "sys/fs/xfs/sdd1/stats/stats": "",  # empty: every counter 0
    })
    symlink(tmp_path, "sys/fs/xfs/sde1", "../../devices/gone")
    got = samples(make_collector("xfs", tmp_path).collect())
    assert len(got) == 2 * len(METRICS) == 78
    assert got['node_xfs_extent_allocation_blocks_allocated_total{device="sda1"}'] == 872
    assert got['node_xfs_block_mapping_extent_list_lookups_total{device="sda1"}'] == 91
    assert got['node_xfs_directory_operation_getdents_total{device="sda1"}'] == 52
    assert got['node_xfs_inode_operation_missed_total{device="sda1"}'] == 4
    assert got['node_xfs_inode_operation_attribute_changes_total{device="sda1"}'] == 1
    # The kernel prints write calls first.
    assert got['node_xfs_write_calls_total{device="sda1"}'] == 28
    assert got['node_xfs_read_calls_total{device="sda1"}'] == 7
    assert got['node_xfs_vnode_remove_total{device="sda1"}'] == 1
    assert got['node_xfs_write_calls_total{device="sdd1"}'] == 0


def test_xfs_help(tmp_path):
    write_tree(tmp_path, {"sys/fs/xfs/sda1/stats/stats": STATS})
    text = collect_text(make_collector("xfs", tmp_path))
    assert ("# HELP node_xfs_directory_operation_remove_total Number of times an existing directory entry "
            "was created for a filesystem.\n"
            "# TYPE node_xfs_directory_operation_remove_total counter\n") in text
