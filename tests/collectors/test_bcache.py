
from tests.support import collect_text, make_collector, samples, symlink, write_tree
from tests.sysfs.test_bcache import DEBUG

UUID = "deaddd54-c735-46d5-868e-f331c5fd7c74"
SET = f"sys/fs/bcache/{UUID}"
SDB = "sys/devices/pci0000:00/ata4/block/sdb/bcache"
SDC = "sys/devices/pci0000:00/ata5/block/sdc/bcache"
STATS = {"bypassed": "1.0k", "cache_hits": "546", "cache_misses": "2", "cache_bypass_hits": "3",
         "cache_bypass_misses": "4", "cache_miss_collisions": "5", "cache_readaheads": "13"}


def tree(tmp_path):
    files = {
        f"{SET}/average_key_size": "0\n",
        f"{SET}/btree_cache_size": "2.5M\n",
        f"{SET}/cache_available_percent": "100\n",
        f"{SET}/congested": "0\n",
        f"{SET}/root_usage_percent": "0\n",
        # Unreadable: a directory where the attribute should be.
        f"{SET}/tree_depth/": None,
        f"{SET}/internal/active_journal_entries": "1\n",
        f"{SET}/internal/btree_nodes": "0\n",
        f"{SET}/internal/btree_read_average_duration_us": "1305\n",
        f"{SET}/internal/cache_read_races": "garbage\n",
        f"{SDB}/dirty_data": "0\n",
        f"{SDB}/writeback_rate_debug": DEBUG,
        f"{SDC}/io_errors": "0\n",
        f"{SDC}/metadata_written": "512\n",
        f"{SDC}/written": "1.5G\n",
        f"{SDC}/priority_stats": "Unused:\t\t99%\nMetadata:\t0%\nAverage:\t10473\nSectors per Q:\t64\n",
        "sys/fs/bcache/register": "",
    }
    files.update({f"{SDB}/stats_total/{k}": v + "\n" for k, v in STATS.items()})
    # The set's own totals differ: the backing device's are the ones exported.
    files.update({f"{SET}/stats_total/{k}": "999\n" for k in STATS})
    write_tree(tmp_path, files)
    symlink(tmp_path, f"{SET}/bdev0", "../../../devices/pci0000:00/ata4/block/sdb/bcache")
    symlink(tmp_path, f"{SET}/bdev1", "../../../devices/gone/bcache")  # broken link: skipped
    symlink(tmp_path, f"{SET}/cache0", "../../../devices/pci0000:00/ata5/block/sdc/bcache")


def bdev(name):
    return f'{{backing_device="bdev0",uuid="{UUID}"}}'.join([name, ""])


def cache(name):
    return f'{{cache_device="cache0",uuid="{UUID}"}}'.join([name, ""])


def fs_(name):
    return f'{name}{{uuid="{UUID}"}}'


EXPECTED = {
    fs_("node_bcache_average_key_size_sectors"): 0,
    # bch_hprint's ".5" is 5/10.24 of the unit, as procfs reads it.
    fs_("node_bcache_btree_cache_size_bytes"): 2609152,
    fs_("node_bcache_cache_available_percent"): 100,
    fs_("node_bcache_congested"): 0,
    fs_("node_bcache_root_usage_percent"): 0,
    fs_("node_bcache_active_journal_entries"): 1,
    fs_("node_bcache_btree_nodes"): 0,
    fs_("node_bcache_btree_read_average_duration_seconds"): 1305e-9,
    bdev("node_bcache_dirty_data_bytes"): 0,
    bdev("node_bcache_dirty_target_bytes"): 21894266880,
    bdev("node_bcache_writeback_rate"): 1150976,
    bdev("node_bcache_writeback_rate_proportional_term"): -437748,
    bdev("node_bcache_writeback_rate_integral_term"): 808960,
    bdev("node_bcache_writeback_change"): 329204,
    bdev("node_bcache_bypassed_bytes_total"): 1024,
    bdev("node_bcache_cache_hits_total"): 546,
    bdev("node_bcache_cache_misses_total"): 2,
    bdev("node_bcache_cache_bypass_hits_total"): 3,
    bdev("node_bcache_cache_bypass_misses_total"): 4,
    bdev("node_bcache_cache_miss_collisions_total"): 5,
    bdev("node_bcache_cache_readaheads_total"): 13,
    cache("node_bcache_io_errors"): 0,
    cache("node_bcache_metadata_written_bytes_total"): 512,
    cache("node_bcache_written_bytes_total"): 1598029824,
}


def test_bcache(tmp_path):
    tree(tmp_path)
    assert samples(make_collector("bcache", tmp_path).collect()) == EXPECTED


def test_bcache_priority_stats(tmp_path):
    tree(tmp_path)
    got = samples(make_collector("bcache", tmp_path, "--collector.bcache.priorityStats").collect())
    assert got == {**EXPECTED, cache("node_bcache_priority_stats_unused_percent"): 99,
                   cache("node_bcache_priority_stats_metadata_percent"): 0}


def test_bcache_help(tmp_path):
    tree(tmp_path)
    text = collect_text(make_collector("bcache", tmp_path))
    assert ("# HELP node_bcache_dirty_target_bytes Current dirty data target threshold for this backing "
            "device in bytes.\n# TYPE node_bcache_dirty_target_bytes gauge\n") in text
