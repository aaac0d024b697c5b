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
