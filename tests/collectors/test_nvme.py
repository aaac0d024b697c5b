import pytest

from pyexporter.collectors.nvme import namespace_id
from tests.support import collect_text, make_collector, samples, symlink, write_tree

CTRL = "sys/devices/pci0000:00/0000:00:02.1/0000:01:00.0/nvme/nvme0"


def tree(root):
    write_tree(root, {
        f"{CTRL}/model": "Samsung SSD 970 PRO 512GB               \n",
        f"{CTRL}/serial": "S680HF8N190894I     \n",
        f"{CTRL}/firmware_rev": "1B2QEXP7\n",
        f"{CTRL}/state": "live\n",
        f"{CTRL}/cntlid": "1997\n",
        f"{CTRL}/nvme0n1/nuse": "488281250\n",
        f"{CTRL}/nvme0n1/size": "3906250000\n",
        f"{CTRL}/nvme0n1/queue/logical_block_size": "4096\n",
        f"{CTRL}/nvme0n1/ana_state": "optimized\n",
        f"{CTRL}/nvme0c0n2/nuse": "garbage\n",
        f"{CTRL}/nvme0c0n2/size": "10\n",
        f"{CTRL}/nvme0c0n2/queue/logical_block_size": "512\n",
        f"{CTRL}/nvme0n3/nuse": "1\n",  # size missing: skipped
        f"{CTRL}/nvme0n3/queue/logical_block_size": "512\n",
        f"{CTRL}/ng0n1/dev": "240:0\n",  # the generic char device is no namespace
        # A controller whose attributes cannot be read still has its info series.
        "sys/class/nvme/nvme1/model": None,
    })
    symlink(root, "sys/class/nvme/nvme0", f"../../{CTRL.removeprefix('sys/')}")
    symlink(root, "sys/class/nvme/nvme9", "../../devices/gone")


def test_nvme_collector(tmp_path):
    tree(tmp_path)
    got = samples(make_collector("nvme", tmp_path).collect())
    assert got == {
        'node_nvme_info{cntlid="1997",device="nvme0",firmware_revision="1B2QEXP7",'
        'model="Samsung SSD 970 PRO 512GB",serial="S680HF8N190894I",state="live"}': 1,
        'node_nvme_info{cntlid="",device="nvme1",firmware_revision="",model="",serial="",state=""}': 1,
        'node_nvme_namespace_info{ana_state="optimized",device="nvme0",nsid="1"}': 1,
        'node_nvme_namespace_capacity_bytes{device="nvme0",nsid="1"}': 1.6e13,
        'node_nvme_namespace_size_bytes{device="nvme0",nsid="1"}': 1.6e13,
        'node_nvme_namespace_used_bytes{device="nvme0",nsid="1"}': 2e12,
        'node_nvme_namespace_logical_block_size_bytes{device="nvme0",nsid="1"}': 4096,
        'node_nvme_namespace_info{ana_state="unknown",device="nvme0",nsid="2"}': 1,
        'node_nvme_namespace_capacity_bytes{device="nvme0",nsid="2"}': 5120,
        'node_nvme_namespace_size_bytes{device="nvme0",nsid="2"}': 5120,
        'node_nvme_namespace_used_bytes{device="nvme0",nsid="2"}': 0,
        'node_nvme_namespace_logical_block_size_bytes{device="nvme0",nsid="2"}': 512,
    }


def test_nvme_help(tmp_path):
    tree(tmp_path)
    text = collect_text(make_collector("nvme", tmp_path))
    assert ("# HELP node_nvme_namespace_capacity_bytes Capacity of the NVMe namespace in bytes. Computed as "
            "namespace_size * namespace_logical_block_size\n") in text


@pytest.mark.parametrize(
    ("entry", "nsid"),
    [("nvme0n1", "1"), ("nvme12c3n45", "45"), ("nvme0", None), ("ng0n1", None), ("power", None),
     ("nvme0n1p1", "1")],
)
def test_namespace_id(entry, nsid):
    assert namespace_id(entry) == nsid
