"""/proc/zoneinfo's parser, as tables of cases."""

import pytest

from pyexporter.procfs.zoneinfo import Zone, parse_zoneinfo

ZONEINFO = """Node 0, zone      DMA
  per-node stats
      nr_inactive_anon 95612
      nr_active_anon 1175853
  pages free     2949
        min      8
        low      11
        high     14
        spanned  4095
        present  3997
        managed  3973
        protection: (0, 2039, 31932, 31932, 31932)
      nr_free_pages 2949
      numa_hit     1
  pagesets
    cpu: 0
              count: 0
              high:  0
Node 0, zone    DMA32
  pages free     528427
        min      1078
        protection: (0, 0, 29893, 29893, 29893)
      nr_free_pages 528427
      numa_hit     13
Node 1, zone   Normal
  pages free     0
        high     0x10
        low      garbage
      numa_miss  010
"""


def test_parse_zoneinfo():
    zones = parse_zoneinfo(ZONEINFO)
    assert [(z.node, z.zone) for z in zones] == [("0", "DMA"), ("0", "DMA32"), ("1", "Normal")]
    dma = zones[0]
    # the node's per-node stats belong to the block of its first zone, as in procfs
    assert dma.values["nr_active_anon"] == 1175853
    assert dma.values["high"] == 14  # "high:" of the pagesets is another key
    assert dma.protection == (0, 2039, 31932, 31932, 31932)
    assert "nr_active_anon" not in zones[1].values
    # procfs infers the base and reads what it cannot parse as 0
    assert zones[2].values == {"high": 16, "low": 0, "numa_miss": 8}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("", [Zone()]),
        ("garbage\n", [Zone()]),
        ("Node 3, zone Movable\n protection: (1, x)\n", [Zone("3", "Movable")]),
        ("Node 3, zone Movable\n protection: (5)\n min 2 3\n", [Zone("3", "Movable", {"min": 2}, (5,))]),
        ("\x00\xff\nNode", [Zone(), Zone()]),
    ],
)
def test_parse_zoneinfo_small(data, expected):
    assert parse_zoneinfo(data) == expected


def _zone(node, zone, protection, **values):
    return Zone(node, zone, values, protection)


# procfs's TestZoneinfo: its tree's /proc/zoneinfo, zone by zone.
PROCFS_ZONES = [
    _zone("0", "DMA", (0, 2877, 7826, 7826, 7826), nr_free_pages=3952, min=33, low=41, high=49, spanned=4095,
          present=3975, managed=3956, nr_active_anon=547580, nr_inactive_anon=230981, nr_isolated_anon=0,
          nr_anon_pages=795576, nr_anon_transparent_hugepages=0, nr_active_file=346282,
          nr_inactive_file=316904, nr_isolated_file=0, nr_file_pages=761874, nr_slab_reclaimable=131220,
          nr_slab_unreclaimable=47320,
          nr_kernel_stack=0, nr_mapped=215483, nr_dirty=908, nr_writeback=0, nr_unevictable=115467,
          nr_shmem=224925, nr_dirtied=8007423, nr_written=7752121, numa_hit=1, numa_miss=0, numa_foreign=0,
          numa_interleave=0, numa_local=1, numa_other=0),
    _zone("0", "DMA32", (0, 0, 4949, 4949, 4949), nr_free_pages=204252, min=19510, low=21059, high=22608,
          spanned=1044480, present=759231, managed=742806, nr_kernel_stack=2208, numa_hit=113952967,
          numa_miss=0, numa_foreign=0, numa_interleave=0, numa_local=113952967, numa_other=0),
    _zone("0", "Normal", (0, 0, 0, 0, 0), nr_free_pages=18553, min=11176, low=13842, high=16508,
          spanned=1308160, present=1308160, managed=1268711, nr_kernel_stack=15136, numa_hit=162718019,
          numa_miss=0, numa_foreign=0, numa_interleave=26812, numa_local=162718019, numa_other=0),
    _zone("0", "Movable", (0, 0, 0, 0, 0), min=0, low=0, high=0, spanned=0, present=0, managed=0),
    _zone("0", "Device", (0, 0, 0, 0, 0), min=0, low=0, high=0, spanned=0, present=0, managed=0),
]


def test_procfs_zoneinfo(procfs_fixtures):
    assert parse_zoneinfo((procfs_fixtures / "proc" / "zoneinfo").read_text()) == PROCFS_ZONES
