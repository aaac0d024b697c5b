import pytest

from pyexporter.collectors.sysctl import Sysctl
from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree

TREE = {
    "proc/sys/fs/file-nr": "1024\t0\t1631329\n",
    "proc/sys/kernel/threads-max": "7801\n",
    "proc/sys/kernel/seccomp/actions_avail": "kill_process kill_thread trap\n",
    "proc/sys/kernel/hostname": "node1\n",
    "proc/sys/vm/hex": "0x10 010\n",
    "proc/sys/vm/empty": "\n",
}


def test_sysctl_from_flag():
    assert Sysctl.from_flag("fs.file-nr", True) == Sysctl("fs.file-nr", True)
    assert Sysctl.from_flag("fs.file-nr:a,b,c", True) == Sysctl("fs.file-nr", True, ("a", "b", "c"))
    assert Sysctl.from_flag("x:", False) == Sysctl("x", False, ("",))
    assert Sysctl("net.ipv4.tcp_rmem", True).metric_name == "node_sysctl_net_ipv4_tcp_rmem"
    assert Sysctl("fs.file-nr", True).metric_name == "node_sysctl_fs_file_nr"


def test_sysctl_collector(tmp_path):
    write_tree(tmp_path, TREE)
    collector = make_collector(
        "sysctl", tmp_path,
        "--collector.sysctl.include=fs.file-nr",
        "--collector.sysctl.include=fs.file-nr:total,current,max",
        "--collector.sysctl.include=kernel.threads-max",
        "--collector.sysctl.include=vm.hex",
        "--collector.sysctl.include-info=kernel.seccomp.actions_avail",
        "--collector.sysctl.include-info=kernel.hostname",
    )
    assert samples(collector.collect()) == {
        'node_sysctl_fs_file_nr{index="0"}': 1024,
        'node_sysctl_fs_file_nr{index="1"}': 0,
        'node_sysctl_fs_file_nr{index="2"}': 1631329,
        "node_sysctl_fs_file_nr_total": 1024,
        "node_sysctl_fs_file_nr_current": 0,
        "node_sysctl_fs_file_nr_max": 1631329,
        "node_sysctl_kernel_threads_max": 7801,
        'node_sysctl_vm_hex{index="0"}': 16,
        'node_sysctl_vm_hex{index="1"}': 8,
        'node_sysctl_info{index="0",name="kernel.seccomp.actions_avail",value="kill_process"}': 1,
        'node_sysctl_info{index="1",name="kernel.seccomp.actions_avail",value="kill_thread"}': 1,
        'node_sysctl_info{index="2",name="kernel.seccomp.actions_avail",value="trap"}': 1,
        'node_sysctl_info{index="0",name="kernel.hostname",value="node1"}': 1,
    }
    text = collect_text(collector)
    assert "# HELP node_sysctl_fs_file_nr sysctl fs.file-nr\n# TYPE node_sysctl_fs_file_nr untyped\n" in text
    assert "# HELP node_sysctl_fs_file_nr_max sysctl fs.file-nr, field 2\n" in text
    assert "# HELP node_sysctl_info sysctl info\n# TYPE node_sysctl_info gauge\n" in text


def test_sysctl_nothing_selected(tmp_path):
    assert list(make_collector("sysctl", tmp_path).collect()) == []


@pytest.mark.parametrize(
    "flag",
    [
        "--collector.sysctl.include=kernel.missing",  # missing file
        "--collector.sysctl.include=vm.empty",  # no values
        "--collector.sysctl.include=kernel.hostname",  # not a number
        "--collector.sysctl.include=kernel.threads-max:a,b",  # one value, keys given
        "--collector.sysctl.include=fs.file-nr:a,b",  # key count differs
        "--collector.sysctl.include=fs.file-nr:a,b-c,d",  # a key that makes no metric name
        "--collector.sysctl.include-info=kernel.seccomp.actions_avail:a,b,c",  # mapped strings
        "--collector.sysctl.include-info=kernel",  # a directory
    ],
)
def test_sysctl_failures(tmp_path, flag):
    write_tree(tmp_path, TREE)
    with pytest.raises((ParseError, OSError)):
        list(make_collector("sysctl", tmp_path, flag).collect())
