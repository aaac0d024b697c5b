"""/proc/net/stat/*'s parser, as tables of cases."""


from pyexporter.procfs.net_stat import parse_lnstat
from tests.support import parser_tests

test_parse_lnstat, test_parse_lnstat_rejects = parser_tests(
    parse_lnstat,
    [
        ("", {}),
        ("entries allocs\n", {}),
        ("a b\n0000000f 10\n\n00000001\n", {"a": [15, 1], "b": [16]}),
        ("a\nffffffffffffffff\n", {"a": [(1 << 64) - 1]}),
    ],
    ["a\n1 2\n", "a\nxyz\n", "a\n10000000000000000\n", "a\n-1\n", "\nff\n"])


def test_procfs_net_stat(procfs_fixtures):
    # procfs's TestNetStat: two files of 13 counters, one value per CPU (two CPUs).
    arp = parse_lnstat((procfs_fixtures / "proc/net/stat/arp_cache").read_text())
    ndisc = parse_lnstat((procfs_fixtures / "proc/net/stat/ndisc_cache").read_text())
    names = ["entries", "allocs", "destroys", "hash_grows", "lookups", "hits", "res_failed",
             "rcv_probes_mcast", "rcv_probes_ucast", "periodic_gc_runs", "forced_gc_runs",
             "unresolved_discards",
             "table_fulls"]
    assert arp == {"entries": [20, 20], **{name: [i, i + 12] for i, name in enumerate(names[1:], 1)}}
    assert ndisc == {"entries": [36, 36], **{name: [i, i + 12] for i, name in enumerate(names[1:], 240)}}
