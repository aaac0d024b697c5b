import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.mountinfo import parse_mountinfo
from pyexporter.procfs.mountstats import Mount, NFSOperation, NFSTransport, parse_mountstats

EVENTS = " ".join(str(i) for i in range(1, 28))
NFS_TCP = f"""device server:/export mounted on /mnt/a with fstype nfs4 statvers=1.1
\topts:\trw,vers=4.1,hard,proto=tcp,addr=10.0.0.1
\tage:\t100
\tbytes:\t1 2 3 4 5 6 7 8
\tevents:\t{EVENTS}
\tRPC iostats version: 1.1  p/v: 100003/4 (nfs)
\txprt:\ttcp 832 0 1 0 11 6428 6428 0 12154 0 24 26 5726
\txprt:\ttcp 833 0 2 0 12 1 1 0 1 0 1 1 1
\tper-op statistics
\t        NULL: 0 0 0 0 0 0 0 0
\t        READ: 10 11 1 100 200 5 6 7 0

"""


def test_parse_mountstats_nfs():
    mounts = parse_mountstats("device proc mounted on /proc with fstype proc\n" + NFS_TCP)
    assert mounts[0] == Mount("proc", "/proc", "proc")
    nfs = mounts[1]
    assert (nfs.device, nfs.mount_point, nfs.fstype) == ("server:/export", "/mnt/a", "nfs4")
    stats = nfs.stats
    assert stats.stat_version == "1.1"
    assert stats.opts["addr"] == "10.0.0.1" and stats.opts["hard"] == ""
    assert stats.age_seconds == 100
    assert stats.bytes.read == 1 and stats.bytes.write_pages == 8
    assert stats.events["inode_revalidate"] == 1 and stats.events["pnfs_write"] == 27
    assert stats.transports == [
        NFSTransport("tcp", 832, 0, 1, 0, 11, 6428, 6428, 0, 12154, 0, 24, 26, 5726),
        NFSTransport("tcp", 833, 0, 2, 0, 12, 1, 1, 0, 1, 0, 1, 1, 1),
    ]
    assert stats.operations == [
        NFSOperation("NULL", 0, 0, 0, 0, 0, 0, 0, 0),
        NFSOperation("READ", 10, 11, 1, 100, 200, 5, 6, 7),
    ]


@pytest.mark.parametrize(
    ("xprt", "version", "expected"),
    [
        ("udp 832 0 6428 6428 0 12154 0 24 26 5726", "1.1",
         NFSTransport("udp", 832, 0, 0, 0, 0, 6428, 6428, 0, 12154, 0, 24, 26, 5726)),
        ("tcp 1 2 3 4 5 6 7 8 9 10", "1.0", NFSTransport("tcp", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0, 0)),
        ("udp 1 2 3 4 5 6 7", "1.0", NFSTransport("udp", 1, 2, 0, 0, 0, 3, 4, 5, 6, 7, 0, 0, 0)),
        ("rdma " + " ".join(str(i) for i in range(1, 21)), "1.1",
         NFSTransport("rdma", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0, 0)),
    ],
)
def test_parse_transports(xprt, version, expected):
    text = f"device s:/e mounted on /m with fstype nfs statvers={version}\n\txprt:\t{xprt}\n\n"
    assert parse_mountstats(text)[0].stats.transports == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "device x mounted on\n",
        "device x mounted at /m with fstype ext4\n",
        "device x mounted on /m with fstype ext4 statvers=1.1\n",  # statistics only for NFS
        "device s:/e mounted on /m with fstype nfs statvers=1.1\n\tbytes:\t1 2 3\n",
        "device s:/e mounted on /m with fstype nfs statvers=1.1\n\tevents:\t1 2\n",
        "device s:/e mounted on /m with fstype nfs statvers=1.1\n\tage:\tabc\n",
        "device s:/e mounted on /m with fstype nfs statvers=1.1\n\tage:\n",
        "device s:/e mounted on /m with fstype nfs statvers=1.1\n\txprt:\ttcp\n",
        "device s:/e mounted on /m with fstype nfs statvers=1.1\n\txprt:\ttcp 1 2\n",
        "device s:/e mounted on /m with fstype nfs statvers=1.1\n\txprt:\tsctp 1 2 3\n",
        "device s:/e mounted on /m with fstype nfs statvers=2.0\n\txprt:\ttcp 1 2 3\n",
        "device s:/e mounted on /m with fstype nfs statvers=1.0\n\txprt:\trdma " + "1 " * 20 + "\n",
        "device s:/e mounted on /m with fstype nfs statvers=1.1\n\txprt:\trdma " + "1 " * 32 + "\n",
        "device s:/e mounted on /m with fstype nfs statvers=1.1\n\tper-op statistics\n\tNULL: 0 0\n",
        "device s:/e mounted on /m with fstype nfs statvers=1.1\n\tper-op statistics\n"
        "\tNULL: 0 0 0 0 0 0 0 -1\n",
        # a blank line before the per-op section: procfs reads the next entry as operations
        "device s:/e mounted on /m with fstype nfs statvers=1.1\n\n"
        "device x mounted on /m with fstype nfs statvers=1.1\n",
    ],
)
def test_parse_mountstats_rejects(text):
    with pytest.raises(ParseError):
        parse_mountstats(text)


def test_parse_mountstats_empty_and_garbage():
    assert parse_mountstats("") == []
    assert parse_mountstats("\x00\xff garbage\nno device here\n") == []


MOUNTINFO = (
    "16 21 0:16 / /sys rw,nosuid shared:7 - sysfs sysfs rw\n"
    "1 1 0:5 /  /root rw,nosuid shared:8 - rootfs rootfs rw\n"
    "194 21 0:42 / /mnt/a rw shared:144 master:1 - nfs4 server:/export rw,vers=4.0,addr=10.0.0.1,x=a=b\n"
    "12 1 0:1 / /n rw - tmpfs tmpfs rw\n"
)


def test_parse_mountinfo():
    infos = parse_mountinfo(MOUNTINFO)
    # The fields the mountstats collector reads of the shared mountinfo parser.
    assert [(i.mount_point, i.fs_type, i.source) for i in infos] == [
        ("/sys", "sysfs", "sysfs"), ("", "rootfs", "rootfs"), ("/mnt/a", "nfs4", "server:/export"),
        ("/n", "tmpfs", "tmpfs")]  # split on single spaces, as procfs
    assert infos[0].super_options == {"rw": ""}
    assert infos[2].super_options == {"rw": "", "vers": "4.0", "addr": "10.0.0.1", "x": "a"}


@pytest.mark.parametrize(
    "text",
    ["\n", "1 2 3\n", "1 1 0:5 / / rw shared:8 x rootfs rootfs rw\n",
     "a 1 0:5 / / rw shared:8 - rootfs rootfs rw\n"],
)
def test_parse_mountinfo_rejects(text):
    with pytest.raises(ParseError):
        parse_mountinfo(text)
