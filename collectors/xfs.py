"""xfs: per-filesystem XFS statistics from /sys/fs/xfs/<device>/stats/stats.

As in node_exporter, only the per-filesystem files are read; the global
/proc/fs/xfs/stat (the sum over all filesystems) is not exported.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from pyexporter import fs
from pyexporter.errors import ParseError
from pyexporter.metrics import NAMESPACE, MetricFamily, counter
from pyexporter.procfs.xfs import parse_xfs_stats
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)


#: (section, index, metric name, HELP): node_exporter's names after the XFS wiki's runtime stats.
METRICS: tuple[tuple[str, int, str, str], ...] = (
    ("extent_alloc", 0, "extent_allocation_extents_allocated_total",
     "Number of extents allocated for a filesystem."),
    ("extent_alloc", 1, "extent_allocation_blocks_allocated_total",
     "Number of blocks allocated for a filesystem."),
    ("extent_alloc", 2, "extent_allocation_extents_freed_total", "Number of extents freed for a filesystem."),
    ("extent_alloc", 3, "extent_allocation_blocks_freed_total", "Number of blocks freed for a filesystem."),
    ("abt", 0, "allocation_btree_lookups_total", "Number of allocation B-tree lookups for a filesystem."),
    ("abt", 1, "allocation_btree_compares_total", "Number of allocation B-tree compares for a filesystem."),
    ("abt", 2, "allocation_btree_records_inserted_total",
     "Number of allocation B-tree records inserted for a filesystem."),
    ("abt", 3, "allocation_btree_records_deleted_total",
     "Number of allocation B-tree records deleted for a filesystem."),
    ("blk_map", 0, "block_mapping_reads_total", "Number of block map for read operations for a filesystem."),
    ("blk_map", 1, "block_mapping_writes_total",
     "Number of block map for write operations for a filesystem."),
    ("blk_map", 2, "block_mapping_unmaps_total", "Number of block unmaps (deletes) for a filesystem."),
    ("blk_map", 3, "block_mapping_extent_list_insertions_total",
     "Number of extent list insertions for a filesystem."),
    ("blk_map", 4, "block_mapping_extent_list_deletions_total",
     "Number of extent list deletions for a filesystem."),
    ("blk_map", 5, "block_mapping_extent_list_lookups_total",
     "Number of extent list lookups for a filesystem."),
    ("blk_map", 6, "block_mapping_extent_list_compares_total",
     "Number of extent list compares for a filesystem."),
    ("bmbt", 0, "block_map_btree_lookups_total", "Number of block map B-tree lookups for a filesystem."),
    ("bmbt", 1, "block_map_btree_compares_total", "Number of block map B-tree compares for a filesystem."),
    ("bmbt", 2, "block_map_btree_records_inserted_total",
     "Number of block map B-tree records inserted for a filesystem."),
    ("bmbt", 3, "block_map_btree_records_deleted_total",
     "Number of block map B-tree records deleted for a filesystem."),
    ("dir", 0, "directory_operation_lookup_total",
     "Number of file name directory lookups which miss the operating systems directory name lookup cache."),
    ("dir", 1, "directory_operation_create_total",
     "Number of times a new directory entry was created for a filesystem."),
    # node_exporter's HELP says "created" for removals too.
    ("dir", 2, "directory_operation_remove_total",
     "Number of times an existing directory entry was created for a filesystem."),
    ("dir", 3, "directory_operation_getdents_total",
     "Number of times the directory getdents operation was performed for a filesystem."),
    ("ig", 0, "inode_operation_attempts_total",
     "Number of times the OS looked for an XFS inode in the inode cache."),
    ("ig", 1, "inode_operation_found_total",
     "Number of times the OS looked for and found an XFS inode in the inode cache."),
    ("ig", 2, "inode_operation_recycled_total",
     "Number of times the OS found an XFS inode in the cache, but could not use it as it was being "
     "recycled."),
    ("ig", 3, "inode_operation_missed_total",
     "Number of times the OS looked for an XFS inode in the cache, but did not find it."),
    ("ig", 4, "inode_operation_duplicates_total",
     "Number of times the OS tried to add a missing XFS inode to the inode cache, but found it had already "
     "been added by another process."),
    ("ig", 5, "inode_operation_reclaims_total",
     "Number of times the OS reclaimed an XFS inode from the inode cache to free memory for another "
     "purpose."),
    ("ig", 6, "inode_operation_attribute_changes_total",
     "Number of times the OS explicitly changed the attributes of an XFS inode."),
    # The kernel prints write calls before read calls on the rw line.
    ("rw", 1, "read_calls_total", "Number of read(2) system calls made to files in a filesystem."),
    ("rw", 0, "write_calls_total", "Number of write(2) system calls made to files in a filesystem."),
    ("vnodes", 0, "vnode_active_total", "Number of vnodes not on free lists for a filesystem."),
    ("vnodes", 1, "vnode_allocate_total", "Number of times vn_alloc called for a filesystem."),
    ("vnodes", 2, "vnode_get_total", "Number of times vn_get called for a filesystem."),
    ("vnodes", 3, "vnode_hold_total", "Number of times vn_hold called for a filesystem."),
    ("vnodes", 4, "vnode_release_total", "Number of times vn_rele called for a filesystem."),
    ("vnodes", 5, "vnode_reclaim_total", "Number of times vn_reclaim called for a filesystem."),
    ("vnodes", 6, "vnode_remove_total", "Number of times vn_remove called for a filesystem."),
)


@register
class XfsCollector(Collector):
    name = "xfs"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.metrics = [(section, index, counter(f"{NAMESPACE}_xfs_{metric}", help_text, "device"))
                        for section, index, metric, help_text in METRICS]

    def collect(self) -> Iterator[MetricFamily]:
        fams = [desc.family() for _, _, desc in self.metrics]
        base = self.roots.sys("fs", "xfs")
        for device in fs.list_dir(base):
            path = os.path.join(base, device, "stats", "stats")
            raw = fs.read_sysfs_attr(path)
            if raw is None:
                continue
            try:
                stats = parse_xfs_stats(raw)
            except ParseError as exc:
                log.warning("xfs: %s: %s", path, exc)
                continue
            for fam, (section, index, _) in zip(fams, self.metrics, strict=True):
                values = stats.get(section, ())
                # A section the kernel did not print counts as zero, as in procfs.
                fam.add(values[index] if index < len(values) else 0, device)
        yield from fams
