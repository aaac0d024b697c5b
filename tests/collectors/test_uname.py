import os

from pyexporter.collectors.uname import UTSNAME_LENGTH
from tests.support import collect_text, make_collector, samples


def test_uname_info_matches_the_system_call(tmp_path):
    got = samples(make_collector("uname", tmp_path).collect())
    assert len(got) == 1
    (key, value), = got.items()
    assert value == 1
    uts = os.uname()
    for label, expected in (("sysname", uts.sysname), ("release", uts.release), ("version", uts.version),
                            ("machine", uts.machine), ("nodename", uts.nodename)):
        assert f'{label}="{expected}"' in key
    assert 'domainname="' in key


def test_uname_domainname_is_read_from_libc(tmp_path):
    collector = make_collector("uname", tmp_path)
    domain = collector.libc.domainname()
    assert len(domain.encode()) < UTSNAME_LENGTH
    # The kernel reports the same value through procfs for this UTS namespace.
    with open("/proc/sys/kernel/domainname") as fh:
        assert domain == fh.read().rstrip("\n")


def test_uname_help(tmp_path):
    text = collect_text(make_collector("uname", tmp_path))
    assert ("# HELP node_uname_info Labeled system information as provided by the uname system call.\n"
            "# TYPE node_uname_info gauge\n") in text


def test_uname_does_not_read_the_fixture_tree(tmp_path):
    # The tree is empty: uname comes from the system call, so collection still works.
    assert samples(make_collector("uname", tmp_path).collect())
