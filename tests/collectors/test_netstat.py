import pytest

from pyexporter.errors import ConfigError, ParseError
from tests.procfs.test_netstat import SNMP6
from tests.support import collect_text, make_collector, samples, write_tree

NETSTAT = (
    "TcpExt: SyncookiesSent ListenDrops TCPTimeouts PruneCalled\n"
    "TcpExt: 1 2 3 4\n"
    "IpExt: InOctets OutOctets\n"
    "IpExt: 6286396970 2786264347\n"
)
SNMP = (
    "Ip: Forwarding DefaultTTL\n"
    "Ip: 1 64\n"
    "Tcp: RtoAlgorithm MaxConn InErrs CurrEstab\n"
    "Tcp: 1 -1 5 7\n"
    "Udp: InDatagrams NoPorts\n"
    "Udp: 88542 120\n"
)


def test_netstat_collector(tmp_path):
    write_tree(tmp_path, {"proc/net/netstat": NETSTAT, "proc/net/snmp": SNMP, "proc/net/snmp6": SNMP6})
    collector = make_collector("netstat", tmp_path)
    assert samples(collector.collect()) == {
        "node_netstat_TcpExt_SyncookiesSent": 1, "node_netstat_TcpExt_ListenDrops": 2,
        "node_netstat_TcpExt_TCPTimeouts": 3, "node_netstat_IpExt_InOctets": 6286396970,
        "node_netstat_IpExt_OutOctets": 2786264347, "node_netstat_Ip_Forwarding": 1,
        "node_netstat_Tcp_InErrs": 5, "node_netstat_Tcp_CurrEstab": 7, "node_netstat_Udp_InDatagrams": 88542,
        "node_netstat_Udp_NoPorts": 120, "node_netstat_Ip6_InOctets": 460, "node_netstat_Udp6_InDatagrams": 3,
        "node_netstat_UdpLite6_InErrors": 0,
    }
    assert ("# HELP node_netstat_Tcp_InErrs Statistic TcpInErrs.\n# TYPE node_netstat_Tcp_InErrs untyped\n"
            in collect_text(collector))


def test_fields_flag(tmp_path):
    write_tree(tmp_path, {"proc/net/netstat": NETSTAT, "proc/net/snmp": SNMP})
    got = samples(make_collector("netstat", tmp_path, "--collector.netstat.fields=^Tcp_Max").collect())
    assert got == {"node_netstat_Tcp_MaxConn": -1}


def test_bad_fields_regex(tmp_path):
    with pytest.raises(ConfigError):
        make_collector("netstat", tmp_path, "--collector.netstat.fields=(")


def test_snmp6_is_optional(tmp_path):
    write_tree(tmp_path, {"proc/net/netstat": NETSTAT, "proc/net/snmp": SNMP})
    got = samples(make_collector("netstat", tmp_path).collect())
    assert "node_netstat_Tcp_InErrs" in got and not any("6_" in key for key in got)


@pytest.mark.parametrize("missing", ["proc/net/netstat", "proc/net/snmp"])
def test_missing_file(tmp_path, missing):
    files = {"proc/net/netstat": NETSTAT, "proc/net/snmp": SNMP}
    del files[missing]
    write_tree(tmp_path, files)
    with pytest.raises(FileNotFoundError):
        list(make_collector("netstat", tmp_path).collect())


def test_empty_files(tmp_path):
    write_tree(tmp_path, {"proc/net/netstat": "", "proc/net/snmp": "", "proc/net/snmp6": ""})
    assert samples(make_collector("netstat", tmp_path).collect()) == {}


def test_unparsable_value_fails_even_when_filtered_out(tmp_path):
    write_tree(tmp_path, {"proc/net/netstat": "TcpExt: PruneCalled\nTcpExt: x\n", "proc/net/snmp": SNMP})
    with pytest.raises(ParseError):
        list(make_collector("netstat", tmp_path).collect())
