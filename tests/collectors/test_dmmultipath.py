
from tests.support import collect_text, make_collector, samples, symlink, write_tree

BLOCK = "sys/block"


def tree(tmp_path):
    write_tree(tmp_path, {
        f"{BLOCK}/dm-5/dm/uuid": "mpath-3600508b1001c1234\n",
        f"{BLOCK}/dm-5/dm/name": "mpathA\n",
        f"{BLOCK}/dm-5/dm/suspended": "0\n",
        f"{BLOCK}/dm-5/size": "104857600\n",
        f"{BLOCK}/dm-5/slaves/sdi/": None,
        f"{BLOCK}/dm-5/slaves/sdj/": None,
        f"{BLOCK}/dm-5/slaves/nvme0n1/": None,
        f"{BLOCK}/dm-5/slaves/sdx/": None,
        f"{BLOCK}/sdi/device/state": "running\n",
        f"{BLOCK}/sdj/device/state": "offline\n",
        f"{BLOCK}/nvme0n1/device/state": "live\n",
        # sdx's state is unreadable: the path counts as failed, in state "unknown".
        f"{BLOCK}/sdx/device/state/": None,
        f"{BLOCK}/dm-6/dm/uuid": "mpath-36000\n",
        f"{BLOCK}/dm-6/dm/name": "mpathB\n",
        f"{BLOCK}/dm-6/dm/suspended": "1\n",
        f"{BLOCK}/dm-6/size": "8\n",
        # Not multipath maps: an LVM volume, a dm device without dm/uuid, a disk.
        f"{BLOCK}/dm-7/dm/uuid": "LVM-abcdef\n",
        f"{BLOCK}/dm-7/dm/name": "vg0-root\n",
        f"{BLOCK}/dm-8/size": "8\n",
        f"{BLOCK}/sda/size": "8\n",
        # A map whose name cannot be read is left out.
        f"{BLOCK}/dm-9/dm/uuid": "mpath-9\n",
        f"{BLOCK}/dm-9/dm/suspended": "0\n",
        f"{BLOCK}/dm-9/size": "8\n",
    })
    symlink(tmp_path, f"{BLOCK}/dm-10", "../devices/virtual/block/gone")


def test_dmmultipath(tmp_path):
    tree(tmp_path)
    got = samples(make_collector("dmmultipath", tmp_path).collect())
    a = 'device="mpathA",sysfs_name="dm-5"'
    b = 'device="mpathB",sysfs_name="dm-6"'
    assert got == {
        f'node_dmmultipath_device_info{{{a},uuid="mpath-3600508b1001c1234"}}': 1,
        f'node_dmmultipath_device_info{{{b},uuid="mpath-36000"}}': 1,
        f"node_dmmultipath_device_active{{{a}}}": 1,
        f"node_dmmultipath_device_active{{{b}}}": 0,
        f"node_dmmultipath_device_size_bytes{{{a}}}": 53687091200,
        f"node_dmmultipath_device_size_bytes{{{b}}}": 4096,
        f"node_dmmultipath_device_paths{{{a}}}": 4,
        f"node_dmmultipath_device_paths_active{{{a}}}": 2,
        f"node_dmmultipath_device_paths_failed{{{a}}}": 2,
        f"node_dmmultipath_device_paths{{{b}}}": 0,
        f"node_dmmultipath_device_paths_active{{{b}}}": 0,
        f"node_dmmultipath_device_paths_failed{{{b}}}": 0,
        'node_dmmultipath_path_state{device="mpathA",path="sdi",state="running"}': 1,
        'node_dmmultipath_path_state{device="mpathA",path="sdj",state="offline"}': 1,
        'node_dmmultipath_path_state{device="mpathA",path="nvme0n1",state="live"}': 1,
        'node_dmmultipath_path_state{device="mpathA",path="sdx",state="unknown"}': 1,
    }


def test_dmmultipath_help(tmp_path):
    tree(tmp_path)
    text = collect_text(make_collector("dmmultipath", tmp_path))
    assert ("# HELP node_dmmultipath_device_paths_active Number of paths in active state "
            "(SCSI running or NVMe live) for a multipath device.\n") in text


def test_dmmultipath_default_enabled():
    from pyexporter.loader import load_collectors
    assert load_collectors()["dmmultipath"].default_enabled
