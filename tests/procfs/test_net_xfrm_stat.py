"""/proc/net/xfrm_stat's parser, as tables of cases."""


from pyexporter.procfs.net_xfrm_stat import parse_xfrm_stat
from tests.support import parser_tests

test_parse_xfrm_stat, test_parse_xfrm_stat_rejects = parser_tests(
    parse_xfrm_stat,
    [("", {}), ("XfrmInError 1\n", {"XfrmInError": 1}), ("A\t-2\nB +3\n", {"A": -2, "B": 3})],
    ["\n", "XfrmInError\n", "XfrmInError 1 2\n", "XfrmInError x\n", "A 1.0\n"])


def test_procfs_xfrm_stat(procfs_fixtures):
    # procfs's TestXfrmStats.
    assert parse_xfrm_stat((procfs_fixtures / "proc/net/xfrm_stat").read_text()) == {
        "XfrmInError": 1, "XfrmInBufferError": 2, "XfrmInHdrError": 4, "XfrmInNoStates": 3,
        "XfrmInStateProtoError": 40, "XfrmInStateModeError": 100, "XfrmInStateSeqError": 6000,
        "XfrmInStateExpired": 4, "XfrmInStateMismatch": 23451, "XfrmInStateInvalid": 55555,
        "XfrmInTmplMismatch": 51, "XfrmInNoPols": 65432, "XfrmInPolBlock": 100, "XfrmInPolError": 10000,
        "XfrmOutError": 1000000, "XfrmOutBundleGenError": 43321, "XfrmOutBundleCheckError": 555,
        "XfrmOutNoStates": 869, "XfrmOutStateProtoError": 4542, "XfrmOutStateModeError": 4,
        "XfrmOutStateSeqError": 543, "XfrmOutStateExpired": 565, "XfrmOutPolBlock": 43456,
        "XfrmOutPolDead": 7656, "XfrmOutPolError": 1454, "XfrmFwdHdrError": 6654,
        "XfrmOutStateInvalid": 28765, "XfrmAcquireError": 24532,
    }
