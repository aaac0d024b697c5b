
from tests.support import collect_text, make_collector, samples, symlink, write_tree

DEV = "sys/devices/pci0000:00/host0/target0:0:0/0:0:0:0/scsi_tape"
STATS = {
    "in_flight": "1\n", "io_ns": "9247011087720\n", "other_cnt": "1409\n", "read_byte_cnt": "979383912\n",
    "read_cnt": "3741\n", "read_ns": "33788355744\n", "resid_cnt": "19\n",
    "write_byte_cnt": "1496246784000\n", "write_cnt": "53772916\n", "write_ns": "5233597394395\n",
}


def tree(root):
    files = {f"{DEV}/st0/stats/{k}": v for k, v in STATS.items()}
    files.update({f"{DEV}/nst0/stats/{k}": v for k, v in STATS.items()})
    files.update({
        f"{DEV}/st1/stats/in_flight": "garbage\n",
        f"{DEV}/st1/stats/io_ns": None,  # unreadable
        f"{DEV}/st2/dev": "9:2\n",  # no stats directory
    })
    write_tree(root, files)
    for name in ("st0", "nst0", "st1", "st2"):
        symlink(root, f"sys/class/scsi_tape/{name}", f"../../{DEV.removeprefix('sys/')}/{name}")


def test_tapestats_collector(tmp_path):
    tree(tmp_path)
    got = samples(make_collector("tapestats", tmp_path).collect())
    assert got['node_tape_io_now{device="st0"}'] == 1
    assert got['node_tape_io_time_seconds_total{device="st0"}'] == 9247.01108772
    assert got['node_tape_io_others_total{device="st0"}'] == 1409
    assert got['node_tape_read_bytes_total{device="st0"}'] == 979383912
    assert got['node_tape_read_time_seconds_total{device="st0"}'] == 33.788355744
    assert got['node_tape_residual_total{device="st0"}'] == 19
    assert got['node_tape_written_bytes_total{device="st0"}'] == 1496246784000
    assert got['node_tape_writes_completed_total{device="st0"}'] == 53772916
    assert got['node_tape_write_time_seconds_total{device="st0"}'] == 5233.597394395
    # st1's counters are unreadable or garbage and count as 0; st2 and nst0 give nothing.
    assert got['node_tape_io_now{device="st1"}'] == 0
    assert got['node_tape_io_time_seconds_total{device="st1"}'] == 0
    assert {k.split('"')[1] for k in got} == {"st0", "st1"}


def test_tapestats_ignored_devices(tmp_path):
    tree(tmp_path)
    collector = make_collector("tapestats", tmp_path, "--collector.tapestats.ignored-devices=^st1$")
    got = samples(collector.collect())
    assert {k.split('"')[1] for k in got} == {"st0"}


def test_tapestats_help(tmp_path):
    tree(tmp_path)
    text = collect_text(make_collector("tapestats", tmp_path))
    assert "# HELP node_tape_io_now The number of I/Os currently outstanding to this device.\n" \
           "# TYPE node_tape_io_now gauge\n" in text
    assert "# TYPE node_tape_read_bytes_total counter\n" in text
