"""/proc/net/rpc/nfs{,d}'s parsers: tables of cases, and procfs's own expectations on its test tree."""

import json
from pathlib import Path

import pytest

from pyexporter.errors import ParseError
from pyexporter.procfs.nfs import (
    CLIENT_V4_PROCEDURES,
    ClientRPC,
    FileHandles,
    InputOutput,
    Network,
    ReadAheadCache,
    ReplyCache,
    ServerRPC,
    Threads,
    parse_client_rpc_stats,
    parse_server_rpc_stats,
)

CLIENT = (
    "net 70 71 69 45\n"
    "rpc 1218785755 374636 1218815394\n"
    "proc2 18 16 57 74 52 71 73 45 86 0 52 83 61 17 53 50 23 70 82\n"
    "proc3 22 0 1061909262 48906 4077635 117661341 5 29391916 2570425 2993289 590 0 0 7815 15 1130 0 3983 "
    "92385 13332 2 1 23729\n"
    "proc4 3 98 51 54\n"
)


def test_parse_client_rpc_stats():
    stats = parse_client_rpc_stats(CLIENT)
    assert (stats.network.udp_count, stats.network.tcp_count, stats.network.tcp_connect) == (71, 69, 45)
    assert stats.client_rpc.retransmissions == 374636
    assert stats.v2["Null"] == 16 and stats.v2["FsStat"] == 82
    assert stats.v3["GetAttr"] == 1061909262 and stats.v3["Commit"] == 23729
    # An older kernel's shorter proc4 line: the rest of the known procedures read as zero.
    assert (stats.v4["Null"], stats.v4["Read"], stats.v4["Write"], stats.v4["Commit"]) == (98, 51, 54, 0)
    assert list(stats.v4) == list(CLIENT_V4_PROCEDURES)
    assert stats.v4["Clone"] == 0


def test_parse_client_v4_maps_procfs_positions():
    values = list(range(1, 60))
    stats = parse_client_rpc_stats(f"proc4 59 {' '.join(map(str, values))}\n")
    assert stats.v4["GetDeviceInfo"] == 45 and stats.v4["LayoutGet"] == 46 and stats.v4["Clone"] == 59


def test_parse_client_longer_lines_keep_known_procedures():
    text = "proc2 19 " + " ".join(["1"] * 19) + "\n" + "proc4 70 " + " ".join(["2"] * 70)
    stats = parse_client_rpc_stats(text)
    assert stats.v2["FsStat"] == 1 and len(stats.v2) == 18
    assert set(stats.v4.values()) == {2} and len(stats.v4) == 59


def test_parse_empty_client_file_is_all_zero():
    stats = parse_client_rpc_stats("")
    assert stats.client_rpc.rpc_count == 0 and set(stats.v3.values()) == {0}


@pytest.mark.parametrize(
    "text",
    [
        "net 1 2 3\n",  # net needs 4 values
        "rpc 1 2\n",
        "proc2 18 1 2 3\n",  # declared 18, has 3
        "proc2 3 1 2 3\n",  # fewer than the 18 NFSv2 procedures
        "proc3 22 " + "1 " * 21 + "\n",
        "proc4 2 1\n",
        "net 1 2 x 4\n",
        "net 1 2 -3 4\n",
        "net 1 2 18446744073709551616 4\n",
        "net\n",
        "\n",  # an empty line is a malformed line for procfs
        "bogus 1 2\n",  # unknown record
        "\x00\x01\x02",
    ],
)
def test_parse_client_rejects(text):
    with pytest.raises(ParseError):
        parse_client_rpc_stats(text)


OPS_72 = (
    "proc4ops 72 0 0 0 1098 2 0 0 0 0 8179 5896 0 0 0 0 5900 0 0 2 0 2 0 9609 0 2 150 1272 0 0 0 1236 "
    "0 0 0 0 3 3 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
)
SERVER = (
    "rc 0 6 18622\n"
    "fh 7 0 0 0 0\n"
    "io 157286400 72864\n"
    "th 8 0 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000\n"
    "ra 32 0 0 0 0 0 0 0 0 0 0 11\n"
    "net 972 55 917 1\n"
    "rpc 18628 3 1 2 4\n"
    "proc2 18 2 69 0 0 4410 0 0 0 0 0 0 0 0 0 0 0 99 2\n"
    "proc3 22 2 112 0 2719 111 0 0 0 0 0 0 0 0 0 0 0 27 216 0 2 1 0\n"
    "proc4 2 2 10853\n"
    + OPS_72
    + "wdeleg_getattr 15\n"
)


def test_parse_server_rpc_stats():
    stats = parse_server_rpc_stats(SERVER)
    assert (stats.reply_cache.misses, stats.reply_cache.no_cache) == (6, 18622)
    assert stats.file_handles.stale == 7
    assert stats.threads.threads == 8
    assert (stats.read_ahead_cache.cache_size, stats.read_ahead_cache.not_found) == (32, 11)
    assert (stats.server_rpc.bad_format, stats.server_rpc.bad_auth, stats.server_rpc.bad_client) == (1, 2, 4)
    assert (stats.v4_null, stats.v4_compound) == (2, 10853)
    assert stats.v4_ops["Access"] == 1098 and stats.v4_ops["PutFH"] == 9609
    assert stats.v4_ops["SetClientID"] == 3 and stats.v4_ops["RelLockOwner"] == 0
    assert stats.wdeleg_getattr == 15


def test_parse_server_nfs40_has_no_rel_lock_owner():
    stats = parse_server_rpc_stats("proc4ops 39 " + " ".join(["0"] * 38) + " 39\n")
    assert stats.v4_ops["Write"] == 39 and stats.v4_ops["RelLockOwner"] == 0


def test_parse_server_40_operations():
    stats = parse_server_rpc_stats("proc4ops 40 " + " ".join(["0"] * 39) + " 40\n")
    assert stats.v4_ops["RelLockOwner"] == 40


@pytest.mark.parametrize(
    "text",
    [
        "th 8\n",  # th needs the pool-full count too
        "rc 1 2\n",
        "fh 1 2 3 4\n",
        "io 1\n",
        "ra 1 2 3\n",
        "rpc 1 2 3 4\n",
        "proc4 3 1 2 3\n",  # the server's proc4 has exactly Null and Compound
        "proc4ops 38 " + "0 " * 38 + "\n",  # fewer than NFSv4.0's 39 operations
        "proc4ops 40 " + "0 " * 39 + "\n",  # declared 40, has 39
        "rc 0 6 x\n",
        "th x 0 0.000\n",
        "brand_new_line 1\n",
        "\n",
        "wdeleg_getattr\n",
    ],
)
def test_parse_server_rejects(text):
    with pytest.raises(ParseError):
        parse_server_rpc_stats(text)


def test_parse_server_th_histogram_is_ignored():
    assert parse_server_rpc_stats("th 4 1 garbage\n").threads.full_count == 1


#: procfs's TestNewNFSClientRPCStats and TestNewNFSdServerRPCStats: each case's file and the values procfs
#: expects, transcribed from its nfs/parse_nfs_test.go and nfs/parse_nfsd_test.go.
PROCFS_CASES = json.loads((Path(__file__).parent / "data" / "nfs_cases.json").read_text())


def _network(go: dict[str, int]) -> Network:
    return Network(go["NetCount"], go["UDPCount"], go["TCPCount"], go["TCPConnect"])


@pytest.mark.parametrize("case", PROCFS_CASES["client"], ids=lambda case: case["name"])
def test_procfs_client_rpc_stats(case):
    if case["invalid"]:
        with pytest.raises(ParseError):
            parse_client_rpc_stats(case["content"])
        return
    stats, want = parse_client_rpc_stats(case["content"]), case["expected"]
    assert stats.network == _network(want["Network"])
    rpc = want["ClientRPC"]
    assert stats.client_rpc == ClientRPC(rpc["RPCCount"], rpc["Retransmissions"], rpc["AuthRefreshes"])
    assert stats.v2 == want["V2Stats"]
    assert stats.v3 == want["V3Stats"]
    assert stats.v4 == want["ClientV4Stats"]


@pytest.mark.parametrize("case", PROCFS_CASES["server"], ids=lambda case: case["name"])
def test_procfs_server_rpc_stats(case):
    if case["invalid"]:
        with pytest.raises(ParseError):
            parse_server_rpc_stats(case["content"])
        return
    stats, want = parse_server_rpc_stats(case["content"]), case["expected"]
    cache, handles, io = want["ReplyCache"], want["FileHandles"], want["InputOutput"]
    assert stats.reply_cache == ReplyCache(cache["Hits"], cache["Misses"], cache["NoCache"])
    assert stats.file_handles == FileHandles(
        handles["Stale"], handles["TotalLookups"], handles["AnonLookups"],
        handles["DirNoCache"], handles["NoDirNoCache"])
    assert stats.input_output == InputOutput(io["Read"], io["Write"])
    assert stats.threads == Threads(want["Threads"]["Threads"], want["Threads"]["FullCnt"])
    ra = want["ReadAheadCache"]
    assert stats.read_ahead_cache == ReadAheadCache(ra["CacheSize"], tuple(ra["CacheHistogram"]),
                                                    ra["NotFound"])
    assert stats.network == _network(want["Network"])
    rpc = want["ServerRPC"]
    assert stats.server_rpc == ServerRPC(rpc["RPCCount"], rpc["BadCnt"], rpc["BadFmt"], rpc["BadAuth"],
                                         rpc["BadcInt"])
    assert stats.v2 == want["V2Stats"]
    assert stats.v3 == want["V3Stats"]
    v4 = want["ServerV4Stats"]
    assert (stats.v4_null, stats.v4_compound) == (v4["Null"], v4["Compound"])
    assert stats.v4_ops == want["V4Ops"]
    assert stats.wdeleg_getattr == want["WdelegGetattr"]
