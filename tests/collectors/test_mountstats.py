import os

import pytest

from pyexporter.errors import ParseError
from tests.procfs.test_mountstats import EVENTS
from tests.support import collect_text, make_collector, samples, symlink, write_tree


def nfs_entry(device: str, mount: str, fstype: str, xprts: list[str], ops: str = "") -> str:
    lines = [
        f"device {device} mounted on {mount} with fstype {fstype} statvers=1.1",
        "\topts:\trw,vers=4.0,proto=tcp",
        "\tage:\t13968",
        "\tbytes:\t1207640230 0 0 0 1210214218 0 295483 0",
        f"\tevents:\t{EVENTS}",
        *(f"\txprt:\t{x}" for x in xprts),
        "\tper-op statistics",
        "\t        NULL: 0 0 0 0 0 0 0 0",
        "\t        READ: 1298 1298 0 207680 1210292152 6 79386 79407",
    ]
    if ops:
        lines.append(ops)
    return "\n".join(lines) + "\n\n"


TCP = "tcp 832 0 1 0 11 6428 6428 0 12154 0 24 26 5726"
UDP = "udp 832 0 6428 6428 0 12154 0 24 26 5726"
MOUNTSTATS = (
    "device rootfs mounted on / with fstype rootfs\n"
    "device proc mounted on /proc with fstype proc\n"
    + nfs_entry("10.0.0.1:/srv", "/mnt/a", "nfs4", [TCP, TCP.replace("832 0 1", "833 0 2")])
    + nfs_entry("10.0.0.1:/srv", "/mnt/b", "nfs4", [TCP],
                "\t      ACCESS: 1 1 0 1 1 18446743919241604546 1000 2500")
    + nfs_entry("10.0.0.1:/srv", "/mnt/b", "nfs", [UDP])
)
MOUNTINFO = (
    "1 1 0:5 / / rw - rootfs rootfs rw\n"
    "17 21 0:4 / /proc rw - proc proc rw\n"
    "194 21 0:42 / /mnt/a rw shared:144 - nfs4 10.0.0.1:/srv rw,vers=4.0,addr=10.0.0.1\n"
    "177 21 0:42 / /mnt/b rw shared:130 - nfs4 10.0.0.1:/srv rw,vers=4.0,addr=10.0.0.1\n"
    "1398 798 0:44 / /mnt/b rw - nfs 10.0.0.1:/srv rw,vers=3,mountaddr=10.0.0.1,addr=10.0.0.2\n"
)
TCP_MOUNT = {"export": "10.0.0.1:/srv", "mountaddr": "10.0.0.1", "protocol": "tcp"}
UDP_MOUNT = {"export": "10.0.0.1:/srv", "mountaddr": "10.0.0.2", "protocol": "udp"}


def key(name: str, labels: dict[str, str], **extra: str) -> str:
    """A `samples()` key: labels sorted by name."""
    pairs = sorted({**labels, **extra}.items())
    return f"node_mountstats_nfs_{name}{{" + ",".join(f'{k}="{v}"' for k, v in pairs) + "}"


def _tree(tmp_path, mountstats=MOUNTSTATS, mountinfo=MOUNTINFO):
    write_tree(tmp_path, {"proc/42/mountstats": mountstats, "proc/42/mountinfo": mountinfo})
    symlink(tmp_path, "proc/self", "42")
    return tmp_path


def test_mountstats_collector(tmp_path):
    collector = make_collector("mountstats", _tree(tmp_path))
    got = samples(collector.collect())
    assert got[key("age_seconds_total", TCP_MOUNT)] == 13968
    assert got[key("read_bytes_total", UDP_MOUNT)] == 1207640230
    assert got[key("total_read_bytes_total", TCP_MOUNT)] == 1210214218
    assert got[key("event_vfs_open_total", TCP_MOUNT)] == 5
    assert got[key("event_pnfs_write_total", TCP_MOUNT)] == 27
    # congestion_wait (the 19th event) is not exposed
    assert got[key("event_truncation_total", TCP_MOUNT)] == 20
    # one series per transport (nconnect), numbered in file order
    assert got[key("transport_connect_total", TCP_MOUNT, transport="0")] == 1
    assert got[key("transport_connect_total", TCP_MOUNT, transport="1")] == 2
    assert got[key("transport_idle_time_seconds", TCP_MOUNT, transport="0")] == 11
    assert got[key("transport_sends_total", UDP_MOUNT, transport="0")] == 6428
    assert got[key("transport_connect_total", UDP_MOUNT, transport="0")] == 0
    assert got[key("operations_requests_total", TCP_MOUNT, operation="READ")] == 1298
    assert got[key("operations_response_time_seconds_total", TCP_MOUNT, operation="READ")] == 79.386
    # the second tcp mount of the export is a duplicate: its ACCESS line is not seen
    assert key("operations_requests_total", TCP_MOUNT, operation="ACCESS") not in got
    # every mount point is listed once
    info = {k: v for k, v in got.items() if "mountpoint_info" in k}
    assert info == {
        key("mountpoint_info", TCP_MOUNT, mountpoint="/mnt/a"): 1,
        key("mountpoint_info", TCP_MOUNT, mountpoint="/mnt/b"): 1,
        key("mountpoint_info", UDP_MOUNT, mountpoint="/mnt/b"): 1,
    }
    text = collect_text(collector)
    assert "# HELP node_mountstats_nfs_event_vfs_open_total Number of times cached inode attributes are " \
           "invalidated.\n" in text
    assert "# TYPE node_mountstats_nfs_transport_maximum_rpc_slots gauge\n" in text
    assert "# TYPE node_mountstats_nfs_age_seconds_total counter\n" in text


def test_mountstats_large_milliseconds_wrap_at_float_mantissa(tmp_path):
    ops = "\t      ACCESS: 1 1 0 1 1 18446743919241604546 1000 2500"
    _tree(tmp_path, nfs_entry("s:/e", "/m", "nfs", [UDP], ops), "1 1 0:5 / /m rw - nfs s:/e rw,addr=h\n")
    got = samples(make_collector("mountstats", tmp_path).collect())
    labels = {"export": "s:/e", "mountaddr": "h", "protocol": "udp"}
    assert got[key("operations_queue_time_seconds_total", labels, operation="ACCESS")] == (
        (18446743919241604546 % (1 << 53)) / 1000
    )


def test_mountstats_without_mountinfo_entries(tmp_path):
    _tree(tmp_path, mountinfo="")
    got = samples(make_collector("mountstats", tmp_path).collect())
    assert key("age_seconds_total", UDP_MOUNT, mountaddr="") in got


def test_mountstats_self_not_a_link_fails(tmp_path):
    # procfs reads <procfs>/self with readlink: a plain file there is an error, not a pid.
    files = {"proc/42/mountstats": MOUNTSTATS, "proc/42/mountinfo": MOUNTINFO, "proc/self": "42"}
    write_tree(tmp_path, files)
    with pytest.raises(ParseError):
        list(make_collector("mountstats", tmp_path).collect())


def test_mountstats_no_nfs(tmp_path):
    proc_only = "device proc mounted on /proc with fstype proc\n"
    _tree(tmp_path, proc_only, "17 21 0:4 / /proc rw - proc proc rw\n")
    assert list(make_collector("mountstats", tmp_path).collect()) == []


def test_mountstats_empty_files(tmp_path):
    _tree(tmp_path, "", "")
    assert list(make_collector("mountstats", tmp_path).collect()) == []


@pytest.mark.parametrize("files", [
    {"mountstats": MOUNTSTATS.replace("\tage:\t13968", "\tage:\tsoon")},
    {"mountinfo": MOUNTINFO + "broken\n"},
], ids=["malformed-line", "malformed-mountinfo"])
def test_mountstats_malformed_file_fails(tmp_path, files):
    _tree(tmp_path, **files)
    with pytest.raises(ParseError):
        list(make_collector("mountstats", tmp_path).collect())


def test_mountstats_missing_file(tmp_path):
    _tree(tmp_path)
    os.remove(tmp_path / "proc/42/mountstats")
    with pytest.raises(FileNotFoundError):
        list(make_collector("mountstats", tmp_path).collect())


def test_mountstats_missing_self(tmp_path):
    write_tree(tmp_path, {"proc/42/mountstats": MOUNTSTATS})
    with pytest.raises(FileNotFoundError):
        list(make_collector("mountstats", tmp_path).collect())


def test_mountstats_self_names_no_process(tmp_path):
    write_tree(tmp_path, {"proc/x": None})
    symlink(tmp_path, "proc/self", "43")
    with pytest.raises((ParseError, OSError)):
        list(make_collector("mountstats", tmp_path).collect())
