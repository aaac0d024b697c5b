import os

import pytest

from pyexporter.errors import NoDataError
from tests.support import collect_text, make_collector, samples, symlink, write_tree

UUID = "deadbeef-1234-5678-9012-abcdefabcdef"
FS = f"sys/fs/bcachefs/{UUID}"
IO_DONE = "node_bcachefs_device_io_done_bytes_total"


def tree(tmp_path):
    write_tree(tmp_path, {
        f"{FS}/btree_cache_size": "2.05G\n",
        f"{FS}/compression_stats": ("typetype   compressed  uncompressed  average extent size\n"
                                    "lz4        48.9G       71.2G         62.5k\n"
                                    "gzip       0           0             0\n"),
        f"{FS}/errors": "bset_bad_csum 2 1767112063\nextent_io_opts_not_set 11299659571772285102\n",
        f"{FS}/btree_write_stats": "  nr size\ninitial: 3298401 100k\ninterior: 3035363 1.26k\n",
        f"{FS}/counters/fsync": "since mount: 302707\nsince filesystem creation:     1515147\n",
        f"{FS}/counters/sectors_alloc": "since mount: 8.08T\nsince filesystem creation: 11.4T\n",
        f"{FS}/counters/mount_only": "since mount: 5\n",
        f"{FS}/counters/weird-name.x": "since filesystem creation: 1\n",
        f"{FS}/counters/broken": "something else\n",
        f"{FS}/counters/unreadable/": None,
        f"{FS}/dev-4/label": "disk-4\n",
        f"{FS}/dev-4/state": "[rw] ro evacuating spare \n",
        f"{FS}/dev-4/bucket_size": "2.00M\n",
        f"{FS}/dev-4/nbuckets": "7629824\n",
        f"{FS}/dev-4/durability": "1\n",
        f"{FS}/dev-4/io_done": ("read:\nbtree       :  2193358848\nuser        :3770452246528\n"
                               "write:\nsb : 645120\n"),
        f"{FS}/dev-4/io_errors": ("IO errors since filesystem creation\n  read:    197416\n  write:   205\n"
                                  "IO errors since 8 y ago\n  read:    1\n"),
        # A device with its attributes missing or unreadable still reports its identity.
        f"{FS}/dev-5/label/": None,
    })


def s(name, **labels):
    labels.setdefault("uuid", UUID)
    return name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def test_bcachefs(tmp_path):
    tree(tmp_path)
    symlink(tmp_path, f"{FS}/dev-9", "../../../devices/gone")  # broken link, not a device directory
    got = samples(make_collector("bcachefs", tmp_path).collect())
    assert got == {
        s("node_bcachefs_info"): 1,
        s("node_bcachefs_btree_cache_size_bytes"): 2201170739,
        s("node_bcachefs_compression_compressed_bytes", algorithm="lz4"): 52505975193,
        s("node_bcachefs_compression_uncompressed_bytes", algorithm="lz4"): 76450417868,
        s("node_bcachefs_compression_compressed_bytes", algorithm="gzip"): 0,
        s("node_bcachefs_compression_uncompressed_bytes", algorithm="gzip"): 0,
        s("node_bcachefs_errors_total", error_type="bset_bad_csum"): 2,
        s("node_bcachefs_errors_total", error_type="extent_io_opts_not_set"): float(11299659571772285102),
        s("node_bcachefs_btree_writes_total", type="initial"): 3298401,
        s("node_bcachefs_btree_write_average_size_bytes", type="initial"): 102400,
        s("node_bcachefs_btree_writes_total", type="interior"): 3035363,
        s("node_bcachefs_btree_write_average_size_bytes", type="interior"): 1290,
        s("node_bcachefs_fsync_total"): 1515147,
        s("node_bcachefs_sectors_alloc_total"): 12534432556646,
        s("node_bcachefs_mount_only_total"): 0,
        s("node_bcachefs_weird_name_x_total"): 1,
        s("node_bcachefs_device_info", device="4", label="disk-4", state="[rw] ro evacuating spare"): 1,
        s("node_bcachefs_device_bucket_size_bytes", device="4"): 2097152,
        s("node_bcachefs_device_buckets", device="4"): 7629824,
        s("node_bcachefs_device_durability", device="4"): 1,
        s(IO_DONE, device="4", operation="read", data_type="btree"): 2193358848,
        s(IO_DONE, device="4", operation="read", data_type="user"): 3770452246528,
        s(IO_DONE, device="4", operation="write", data_type="sb"): 645120,
        s("node_bcachefs_device_io_errors_total", device="4", type="read"): 197416,
        s("node_bcachefs_device_io_errors_total", device="4", type="write"): 205,
        s("node_bcachefs_device_info", device="5", label="", state=""): 1,
        s("node_bcachefs_device_bucket_size_bytes", device="5"): 0,
        s("node_bcachefs_device_buckets", device="5"): 0,
        s("node_bcachefs_device_durability", device="5"): 0,
    }


def test_bcachefs_counter_help(tmp_path):
    tree(tmp_path)
    text = collect_text(make_collector("bcachefs", tmp_path))
    assert ("# HELP node_bcachefs_weird_name_x_total "
            "Bcachefs counter weird-name.x since filesystem creation.\n"
            "# TYPE node_bcachefs_weird_name_x_total counter\n") in text


def test_bcachefs_no_filesystem(tmp_path):
    os.makedirs(tmp_path / "sys/fs/bcachefs")
    with pytest.raises(NoDataError):
        list(make_collector("bcachefs", tmp_path).collect())


def test_bcachefs_empty_filesystem(tmp_path):
    os.makedirs(tmp_path / FS)
    got = samples(make_collector("bcachefs", tmp_path).collect())
    assert got == {s("node_bcachefs_info"): 1, s("node_bcachefs_btree_cache_size_bytes"): 0}
