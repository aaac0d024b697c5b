"""netdev and arp over rtnetlink beside the real node_exporter, in a private network namespace.

Debian's node_exporter 1.5.0 reads device statistics over rtnetlink as 1.12.1 does (one full
RTM_GETLINK dump through jsimonetti/rtnetlink) and ARP entries from /proc/net/arp, which lists the
neighbours 1.12.1 counts over netlink (the kernel leaves NUD_NOARP entries out of it, as
node_exporter does over netlink). pyexporter reads both with its own AF_NETLINK dumps.

Run as a module (`unshare --net python -m tests.test_netlink_differential`) it builds links,
neighbours and some traffic in the namespace it is in and prints what both report; the test does
that. lo is left out: the scrape of node_exporter itself goes over it.
"""

from __future__ import annotations

import socket
import time

from tests.support import compare_in_new_namespace, print_reports, set_up_namespace

PAIRS = 20
_SETUP = [
    "ip link set lo up",
    # No IPv6: router solicitations and DAD would change the counters between the two reads.
    "sysctl -qw net.ipv6.conf.default.disable_ipv6=1",
    *(f"ip link add n{i} type veth peer name p{i}" for i in range(PAIRS)),
    *(f"ip link set {side}{i} up" for i in range(PAIRS) for side in "np"),
    "ip addr add 10.1.0.2/24 dev n0",
    "ip addr add 10.2.0.2/24 dev n1",
    *(f"ip neigh add 10.1.0.{10 + i} lladdr 02:00:00:00:00:{i:02x} dev n0 nud permanent" for i in range(12)),
    "ip neigh add 10.2.0.9 lladdr 02:00:00:00:01:01 dev n1 nud stale",
    "ip neigh add 10.2.0.10 lladdr 02:00:00:00:01:02 dev n1 nud noarp",
    "ip neigh add 10.2.0.11 lladdr 02:00:00:00:01:03 dev n1 nud reachable",
    f"ip link del n{PAIRS - 1}",
]
FLAGS = ["--collector.netdev.device-exclude=^lo$"]
#: UDP datagrams (destination, size, count) sent before the scrapes: out of n0 and n1 to neighbours
#: that have a link-layer address (no ARP), received and dropped by p0 and p1.
TRAFFIC = ((("10.1.0.10", 9), 100, 3), (("10.2.0.9", 9), 1000, 2))


def _lines(text: str) -> list[str]:
    prefixes = tuple(f"{start}node_{name}_" for start in ("", "# HELP ", "# TYPE ")
                     for name in ("network", "arp"))
    return sorted(line for line in text.splitlines() if line.startswith(prefixes))


def _in_namespace() -> None:
    set_up_namespace(_SETUP)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for address, size, count in TRAFFIC:
            for _ in range(count):
                sender.sendto(bytes(size), address)
    time.sleep(0.2)  # the peers have taken them in
    print_reports(["netdev", "arp"], FLAGS)


def test_live_netdev_and_arp_agree_with_node_exporter():
    outputs = compare_in_new_namespace("tests.test_netlink_differential")
    ours = _lines(outputs["pyexporter"])
    assert ours == _lines(outputs["node_exporter"])
    # The namespace's links, neighbours and traffic are all there.
    assert sum(line.startswith("node_network_receive_bytes_total{") for line in ours) == 2 * PAIRS - 2
    assert 'node_arp_entries{device="n0"} 12' in ours
    assert 'node_arp_entries{device="n1"} 2' in ours
    assert 'node_network_transmit_packets_total{device="n1"} 2' in ours


if __name__ == "__main__":
    _in_namespace()
