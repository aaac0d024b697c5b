"""Parsers built on pyexporter.golang's strconv and strings against arbitrary text: a value or ParseError."""

from hypothesis import given, settings
from hypothesis import strategies as st

from pyexporter.errors import ParseError
from pyexporter.procfs.ipvs import parse_ipvs_backend_status, parse_ipvs_stats
from pyexporter.procfs.nfs import parse_client_rpc_stats, parse_server_rpc_stats
from pyexporter.procfs.schedstat import parse_schedstat
from pyexporter.procfs.sys import parse_hung_task_detect_count
from pyexporter.procfs.zfs import parse_kstat_named, parse_objset, parse_pool_io, parse_pool_state
from pyexporter.sysfs.selinux import (
    parse_avc_cache_stats,
    parse_avc_hash_stats,
    parse_config_mode,
    parse_enforce,
)

PARSERS = [
    parse_client_rpc_stats, parse_server_rpc_stats, parse_ipvs_stats, parse_ipvs_backend_status,
    parse_schedstat, parse_kstat_named, parse_pool_io, parse_objset, parse_pool_state,
    parse_hung_task_detect_count, parse_avc_cache_stats, parse_avc_hash_stats, parse_enforce,
    parse_config_mode,
]

# Text made of the pieces these files are made of, so that the fuzzer reaches deep branches.
_TOKENS = st.sampled_from([
    "net", "rpc", "proc2", "proc3", "proc4", "proc4ops", "th", "rc", "wdeleg_getattr", "name", "type",
    "data", "nread", "dataset_name", "4", "3", "7", "0", "18", "22", "2", "-1", "99999999999999999999",
    "TCP", "FWM", "->", "C0A80016:0CEA", "[2620:0000:0000:0000:0000:0000:0000:0080]:0050", "cpu0",
    "entries: 5", "buckets used: 1/2", "SELINUX=enforcing", " ", "  ", "\n", "\t", "\x00", "é", "0x1",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_TOKENS, max_size=60).map("".join) | st.text(max_size=200))
def test_parsers_raise_only_parse_error(text):
    for parser in PARSERS:
        try:
            parser(text)
        except ParseError:
            pass
