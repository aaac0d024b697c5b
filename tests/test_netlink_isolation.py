"""A netlink dump that is never answered fails its own collector at its timeout, and only that one.

Each collector makes its netlink requests in its own worker thread, on sockets of its own, each with
the collector's timeout (issue 16, item 6): the other collectors of the same scrape, netdev and arp
among them, are served as usual, and the silent request ends at its own deadline, so the next scrape
starts that collector again instead of finding it still stuck.
"""

from __future__ import annotations

import asyncio
import socket
import time

from pyexporter.loader import load_collectors
from pyexporter.netlink import diag, rtnl
from pyexporter.scrape import Collection, ScrapeEngine
from tests.netlink.peer import dump_of, link_body, needs_rtnetlink, stats_body
from tests.support import make_settings, write_tree

TIMEOUT = 1.0


def _engine(tmp_path, names: tuple[str, ...]) -> ScrapeEngine:
    write_tree(tmp_path, {"proc/loadavg": "0.50 0.25 0.10 1/100 42\n"})
    settings = make_settings(tmp_path, f"--collector.timeout={TIMEOUT}s")
    registry = load_collectors()
    return ScrapeEngine({name: registry[name](settings) for name in names}, settings.collector_timeout)


def _outcomes(collection: Collection) -> dict[str, tuple[bool, float]]:
    return {o.name: (o.success, o.duration) for o in collection.outcomes}


def _samples(collection: Collection) -> set[str]:
    return {sample.name + str(dict(sample.labels))
            for family in collection.families for sample in family.samples}


async def test_a_silent_neighbour_dump_fails_arp_alone(tmp_path, fake_kernel):
    fake_kernel.handlers.update({
        rtnl.RTM_GETSTATS: dump_of(rtnl.RTM_NEWSTATS, [stats_body(1), stats_body(2)]),
        rtnl.RTM_GETLINK: dump_of(rtnl.RTM_NEWLINK, [link_body(1, b"lo"), link_body(2, b"eth0")]),
        # RTM_GETNEIGH has no handler: that request is never answered.
    })
    engine = _engine(tmp_path, ("arp", "loadavg", "netdev"))
    try:
        for _ in range(2):
            started = time.monotonic()
            collection = await engine.scrape()
            elapsed = time.monotonic() - started
            outcomes = _outcomes(collection)
            arp_ok, arp_duration = outcomes["arp"]
            assert not arp_ok
            # Reported at its timeout (the engine's, or the request's own deadline a moment before it);
            # the second scrape ran it again (a stuck one would show 0 s).
            assert TIMEOUT * 0.95 <= arp_duration < TIMEOUT + 2
            assert outcomes["netdev"][0] and outcomes["loadavg"][0]
            got = _samples(collection)
            assert "node_network_receive_packets_total{'device': 'eth0'}" in got
            assert "node_load1{}" in got
            assert elapsed < TIMEOUT + 2  # the scrape is answered at arp's timeout, not later
            await asyncio.sleep(0.3)  # the silent request has reached its own deadline meanwhile
        silent = [request for request in fake_kernel.requests if request[1] == rtnl.RTM_GETNEIGH]
        assert len(silent) == 2
        # Every socket of every request, the silent ones included, is closed.
        assert all(sock.fileno() == -1 for sock in fake_kernel.sockets)
    finally:
        engine.shutdown()


@needs_rtnetlink
async def test_a_silent_sock_diag_dump_fails_tcpstat_alone_while_netdev_and_arp_read_the_kernel(
        tmp_path, fake_kernel):
    # rtnetlink goes to the running kernel; sock_diag to a peer that never answers.
    fake_kernel.passthrough = frozenset({socket.NETLINK_ROUTE})
    engine = _engine(tmp_path, ("arp", "netdev", "tcpstat"))
    try:
        collection = await engine.scrape()
        outcomes = _outcomes(collection)
        assert not outcomes["tcpstat"][0] and TIMEOUT * 0.95 <= outcomes["tcpstat"][1] < TIMEOUT + 2
        assert outcomes["netdev"][0] and outcomes["arp"][0]
        lo = socket.if_indextoname(1)
        assert f"node_network_receive_bytes_total{{'device': '{lo}'}}" in _samples(collection)
        assert [request[0] for request in fake_kernel.requests] == [diag.NETLINK_SOCK_DIAG]
    finally:
        engine.shutdown()
