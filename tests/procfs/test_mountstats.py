from pathlib import Path

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.mountinfo import parse_mountinfo
from pyexporter.procfs.mountstats import (
    NFS_EVENT_NAMES,
    Mount,
    NFSBytes,
    NFSOperation,
    NFSStats,
    NFSTransport,
    parse_mountstats,
)

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


#: Inputs of procfs's mountstats_test.go too long to be written here.
DATA = Path(__file__).parent / "data"

#: The device line most of procfs's cases start with, up to the filesystem type.
DEVICE = "device 192.168.1.1:/srv mounted on /mnt/nfs with fstype "

# procfs's TestMountStats, its invalid inputs.
PROCFS_INVALID = [
    'device foo',
    'device rootfs BAD on / with fstype rootfs',
    'device rootfs mounted BAD / with fstype rootfs',
    'device rootfs mounted on / BAD fstype rootfs',
    'device rootfs mounted on / with BAD rootfs',
    'device rootfs mounted on / with fstype rootfs stats',
    DEVICE + "nfs4 statvers=1.1\nopts:",
    DEVICE + "nfs4 statvers=1.1\nbytes: 0",
    DEVICE + "nfs4 statvers=1.1\nevents: 0",
    DEVICE + "nfs4 statvers=1.1\nper-op statistics\nFOO 0",
    DEVICE + "nfs4 statvers=1.1\nxprt: tcp",
    DEVICE + "nfs4 statvers=foo\nxprt: tcp 0",
    DEVICE + "nfs4 statvers=1.0\nxprt: tcp 0 0 0 0 0 0 0 0 0 0 0 0 0",
    DEVICE + "nfs4 statvers=1.1\nxprt: tcp 0 0 0 0 0 0 0 0 0 0",
    DEVICE + "nfs4 statvers=1.1\nxprt: tcpx 0 0 0 0 0 0 0 0 0 0",
]


@pytest.mark.parametrize("text", PROCFS_INVALID)
def test_procfs_mountstats_rejects(text):
    with pytest.raises(ParseError):
        parse_mountstats(text)


def _nfs(version: str, **stats: object) -> list[Mount]:
    return [Mount("192.168.1.1:/srv", "/mnt/nfs", "nfs", NFSStats(version, **stats))]


@pytest.mark.parametrize(("text", "mounts"), [
    # procfs's TestMountStats, its valid inputs: statvers=1.0 transports lack the last three counters, and UDP
    # transports have no connect, connect_idle_time and idle_time_seconds.
    (DEVICE + "nfs statvers=1.0\nxprt: tcp 1 2 3 4 5 6 7 8 9 10",
     _nfs("1.0", transports=[NFSTransport("tcp", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)])),
    (DEVICE + "nfs statvers=1.0\nxprt: udp 1 2 3 4 5 6 7",
     _nfs("1.0", transports=[NFSTransport("udp", 1, 2, 0, 0, 0, 3, 4, 5, 6, 7)])),
    (DEVICE + "nfs statvers=1.1\n"
     "xprt: tcp 1 2 3 4 5 6 7 8 9 10 11 12 13",
     _nfs("1.1", transports=[NFSTransport("tcp", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)])),
    (DEVICE + "nfs statvers=1.1\nxprt: udp 1 2 3 4 5 6 7 8 9 10",
     _nfs("1.1", transports=[NFSTransport("udp", 1, 2, 0, 0, 0, 3, 4, 5, 6, 7, 8, 9, 10)])),
    (DEVICE + "nfs statvers=1.1\n"
     "opts: rw,vers=3,mountaddr=192.168.1.1,proto=udp\n",
     _nfs("1.1", opts={"rw": "", "vers": "3", "mountaddr": "192.168.1.1", "proto": "udp"})),
    ("device rootfs mounted on / with fstype rootfs", [Mount("rootfs", "/", "rootfs")]),
    (DEVICE + "nfs statvers=1.1", _nfs("1.1")),
])
def test_procfs_mountstats(text, mounts):
    assert parse_mountstats(text) == mounts


def test_procfs_mountstats_multiline_impl_id():
    # procfs's "NFS4.1 device with multiline impl_id OK": the continuation lines are skipped.
    text = ("device 192.168.0.1:/srv mounted on /mnt/nfs with fstype nfs4 statvers=1.1\n"
            "opts: rw,vers=4.1,rsize=131072,wsize=131072,namlen=255,acregmin=3,acregmax=60,acdirmin=30,"
            "acdirmax=60,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=192.168.0.2,fsc,local_lock=none\n"
            "age: 1234567\nimpl_id: name='FreeBSD 11.2-STABLE #0 r325575+c9231c7d6bd(HEAD): Mon Nov 18 "
            "22:46:47 UTC 2019\nuser@host:/path/to/something'\n,domain='something.org',date='1293840000,0'")
    (mount,) = parse_mountstats(text)
    assert (mount.device, mount.mount_point, mount.fstype) == ("192.168.0.1:/srv", "/mnt/nfs", "nfs4")
    assert mount.stats.age_seconds == 1234567
    assert mount.stats.opts == {
        "rw": "", "vers": "4.1", "rsize": "131072", "wsize": "131072", "namlen": "255", "acregmin": "3",
        "acregmax": "60", "acdirmin": "30", "acdirmax": "60", "fsc": "", "hard": "", "proto": "tcp",
        "timeo": "600", "retrans": "2", "sec": "sys", "clientaddr": "192.168.0.2", "local_lock": "none"}


def _events(**counts: int) -> dict[str, int]:
    return {**dict.fromkeys(NFS_EVENT_NAMES, 0), **counts}


def test_procfs_mountstats_of_its_tree(procfs_fixtures):
    # procfs's "fixtures/proc OK" case: /proc/26231/mountstats.
    mounts = parse_mountstats((procfs_fixtures / "proc/26231/mountstats").read_text())
    assert mounts[:4] == [Mount("rootfs", "/", "rootfs"), Mount("sysfs", "/sys", "sysfs"),
                          Mount("proc", "/proc", "proc"), Mount("/dev/sda1", "/", "ext4")]
    nfs = mounts[4]
    assert (nfs.device, nfs.mount_point, nfs.fstype, len(mounts)) == ("192.168.1.1:/srv/test",
                                                                      "/mnt/nfs/test",
                                                                      "nfs4", 5)
    assert nfs.stats == NFSStats(
        "1.1",
        opts={"rw": "", "vers": "4.0", "rsize": "1048576", "wsize": "1048576", "namlen": "255",
              "acregmin": "3",
              "acregmax": "60", "acdirmin": "30", "acdirmax": "60", "hard": "", "proto": "tcp", "port": "0",
              "timeo": "600", "retrans": "2", "sec": "sys", "mountaddr": "192.168.1.1",
              "clientaddr": "192.168.1.5", "local_lock": "none"},
        age_seconds=13968,
        bytes=NFSBytes(read=1207640230, read_total=1210214218, read_pages=295483),
        events=_events(inode_revalidate=52, dnode_revalidate=226, vfs_open=1, vfs_lookup=13, vfs_access=398,
                       vfs_read_pages=331, vfs_write_pages=47, vfs_flush=77, vfs_file_release=77),
        operations=[
            NFSOperation("NULL", 0, 0, 0, 0, 0, 0, 0, 0),
            NFSOperation("READ", 1298, 1298, 0, 207680, 1210292152, 6, 79386, 79407),
            NFSOperation("WRITE", 0, 0, 0, 0, 0, 0, 0, 0),
            NFSOperation("ACCESS", 2927395007, 2927394995, 0, 526931094212, 362996810236,
                         18446743919241604546,
                         1667369447, 1953587717),
        ],
        transports=[NFSTransport("tcp", 832, 0, 1, 0, 11, 6428, 6428, 0, 12154, 0, 24, 26, 5726)],
    )


def test_procfs_mountstats_rdma():
    # procfs's "NFS xprt over rdma proto" case, on the counters node_exporter exports (the RDMA-only ones are
    # no metric of node_exporter's).
    (mount,) = parse_mountstats((DATA / "mountstats_rdma").read_text())
    assert (mount.device, mount.mount_point, mount.fstype) == ("<nfsserver>:<nfsmount>", "<mountpoint>",
                                                               "nfs")
    assert mount.stats.age_seconds == 1270876
    assert mount.stats.opts["proto"] == "rdma" and mount.stats.opts["nconnect"] == "16"
    assert mount.stats.bytes == NFSBytes(read=3104202770327296, read_total=2013200952170479,
                                         read_pages=491504202537)
    assert mount.stats.events == _events(
        inode_revalidate=512052, dnode_revalidate=36601115, attribute_invalidate=68, vfs_open=1498583,
        vfs_lookup=16514, vfs_access=38815015, vfs_read_page=41584, vfs_read_pages=2654459933,
        vfs_flush=1527715, vfs_file_release=1498575)
    assert mount.stats.operations == [NFSOperation("NULL", 16, 16, 0, 640, 384, 320, 11, 331)]
    assert mount.stats.transports == [
        NFSTransport("rdma", 0, 0, 5808, 62, 0, 494490723, 494490687, 36, 10032963746, 1282789, 0, 0, 0)]


def test_procfs_mountstats_extended():
    # procfs's TestMountStatsExtendedOperationStats and TestMountStatsExtendedRDMAStats.
    (ops,) = parse_mountstats((DATA / "mountstats_extended_ops").read_text())
    assert len(ops.stats.operations) == 63
    (rdma,) = parse_mountstats((DATA / "mountstats_extended_rdma").read_text())
    assert len(rdma.stats.transports) == 16 and len(rdma.stats.operations) == 22

