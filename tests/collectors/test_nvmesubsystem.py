import pytest

from pyexporter.collectors.nvmesubsystem import normalize_state
from pyexporter.errors import NoDataError
from tests.support import collect_text, make_collector, samples, write_tree

SUBSYS = "sys/class/nvme-subsystem/nvme-subsys0"
NQN = "nqn.2014-08.org.nvmexpress:uuid:" + "a" * 120  # longer than one 128-byte sysfs read


def tree(tmp_path, states=("live", "connecting")):
    files = {f"{SUBSYS}/subsysnqn": NQN + "\n", f"{SUBSYS}/model": "PowerStore  \n",
             f"{SUBSYS}/serial": "SN1\n", f"{SUBSYS}/iopolicy": "numa\n",
             f"{SUBSYS}/ng0n1/dev": "241:0\n", f"{SUBSYS}/power/control": "auto\n"}
    for i, state in enumerate(states):
        files.update({f"{SUBSYS}/nvme{i}/state": state + "\n", f"{SUBSYS}/nvme{i}/transport": "tcp\n",
                      f"{SUBSYS}/nvme{i}/address": f"traddr=10.0.0.{i}\n"})
    write_tree(tmp_path, files)


def test_nvmesubsystem_paths(tmp_path):
    tree(tmp_path, ("live", "connecting", "deleting"))
    got = samples(make_collector("nvmesubsystem", tmp_path).collect())
    info = [k for k in got if k.startswith("node_nvmesubsystem_info")]
    assert info == ['node_nvmesubsystem_info{iopolicy="numa",model="PowerStore",nqn="' + NQN[:128]
                    + '",serial="SN1",subsystem="nvme-subsys0"}']
    assert got['node_nvmesubsystem_paths{subsystem="nvme-subsys0"}'] == 3
    assert got['node_nvmesubsystem_paths_live{subsystem="nvme-subsys0"}'] == 1
    label = ('node_nvmesubsystem_path_state{controller="nvme1",state="%s",subsystem="nvme-subsys0",'
             'transport="tcp"}')
    assert got[label % "connecting"] == 1 and got[label % "live"] == 0 and got[label % "unknown"] == 0
    # "deleting" is kept as the kernel says it, so no exported state is 1.
    deleting = [v for k, v in got.items() if 'controller="nvme2"' in k]
    assert len(deleting) == 5 and sum(deleting) == 0


def test_nvmesubsystem_help(tmp_path):
    tree(tmp_path)
    text = collect_text(make_collector("nvmesubsystem", tmp_path))
    assert "# HELP node_nvmesubsystem_paths Number of controller paths for an NVMe subsystem.\n" in text


@pytest.mark.parametrize(("raw", "state"), [
    ("live", "live"), ("dead", "dead"), ("new", "new"), ("deleting (no IO)", "deleting (no IO)"),
    ("LIVE", "unknown"), ("", "unknown"), ("garbage", "unknown"),
])
def test_normalize_state(raw, state):
    assert normalize_state(raw) == state


def test_nvmesubsystem_missing_attribute(tmp_path):
    tree(tmp_path)
    (tmp_path / SUBSYS / "nvme1" / "transport").unlink()
    with pytest.raises(NoDataError):
        list(make_collector("nvmesubsystem", tmp_path).collect())


def test_nvmesubsystem_without_controllers(tmp_path):
    tree(tmp_path, states=())
    got = samples(make_collector("nvmesubsystem", tmp_path).collect())
    assert got['node_nvmesubsystem_paths{subsystem="nvme-subsys0"}'] == 0
