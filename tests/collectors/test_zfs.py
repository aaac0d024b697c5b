import pytest

from pyexporter.collectors.zfs import metric_suffix
from pyexporter.errors import ParseError
from tests.procfs.test_zfs import ARCSTATS, IO, OBJSET
from tests.support import collect_text, make_collector, samples, write_tree


def test_metric_suffix():
    assert metric_suffix("l2-odd.name-x") == "name_x"
    assert metric_suffix("hits") == "hits"


def _tree(tmp_path, **extra):
    files = {
        "proc/spl/kstat/zfs/arcstats": ARCSTATS,
        "proc/spl/kstat/zfs/zil": "x\nname type data\nzil_commit_count 4 13\n",
        "proc/spl/kstat/zfs/tank/io": IO,
        "proc/spl/kstat/zfs/tank/objset-0x36": OBJSET,
        "proc/spl/kstat/zfs/tank/state": "DEGRADED\n",
        "proc/spl/kstat/zfs/empty/state": "",
    }
    files.update(extra)
    return write_tree(tmp_path, files)


def test_zfs_collector(tmp_path):
    collector = make_collector("zfs", _tree(tmp_path))
    got = samples(collector.collect())
    assert got["node_zfs_arc_hits"] == 8772612
    assert got["node_zfs_arc_arc_need_free"] == -12
    assert got["node_zfs_arc_name_x"] == 5
    assert got["node_zfs_zil_zil_commit_count"] == 13
    assert got['node_zfs_zpool_nread{zpool="tank"}'] == 1884160
    assert got['node_zfs_zpool_dataset_nwritten{dataset="pool3/dataset with  space",zpool="tank"}'] == 12302
    assert got['node_zfs_zpool_state{state="degraded",zpool="tank"}'] == 1
    assert got['node_zfs_zpool_state{state="online",zpool="tank"}'] == 0
    # An empty state file: every state reads 0.
    assert sum(v for k, v in got.items() if 'zpool="empty"' in k) == 0
    assert len([k for k in got if 'zpool="empty"' in k]) == 7
    text = collect_text(collector)
    assert ("# HELP node_zfs_arc_name_x kstat.zfs.misc.arcstats.l2-odd.name-x\n"
            "# TYPE node_zfs_arc_name_x untyped\n") in text
    assert "# HELP node_zfs_zpool_state kstat.zfs.misc.state\n# TYPE node_zfs_zpool_state gauge\n" in text
    assert "# HELP node_zfs_zpool_dataset_writes kstat.zfs.misc.objset.writes\n" in text


def test_zfs_missing_kstat_files_are_skipped(tmp_path):
    write_tree(tmp_path, {"proc/spl/kstat/zfs/p/state": "ONLINE\n"})
    got = samples(make_collector("zfs", tmp_path).collect())
    assert got == {f'node_zfs_zpool_state{{state="{s}",zpool="p"}}': float(s == "online")
                   for s in ("online", "degraded", "faulted", "offline", "removed", "unavail", "suspended")}


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("proc/spl/kstat/zfs/arcstats", ""),  # empty: no header, as node_exporter fails
        ("proc/spl/kstat/zfs/arcstats", "name type data\nhits 4 many\n"),  # malformed line
        ("proc/spl/kstat/zfs/tank/objset-0x1", ""),
        ("proc/spl/kstat/zfs/tank/io", IO + "1 2 3\n"),
    ],
)
def test_zfs_unparsable_file_fails(tmp_path, path, content):
    collector = make_collector("zfs", _tree(tmp_path, **{path: content}))
    with pytest.raises(ParseError):
        list(collector.collect())


def test_zfs_invalid_kstat_name_is_skipped(tmp_path):
    fm = "name type data\nbad:ok 4 1\n9lives 4 2\nbad/name 4 3\n"
    tree = _tree(tmp_path, **{"proc/spl/kstat/zfs/fm": fm})
    got = samples(make_collector("zfs", tree).collect())
    assert got["node_zfs_fm_bad:ok"] == 1 and got["node_zfs_fm_9lives"] == 2
    assert not any("bad/name" in k for k in got)
