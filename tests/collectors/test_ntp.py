import logging
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from pyexporter.collectors.ntp import (
    DEPRECATION_WARNING,
    NtpPacket,
    NtpResponse,
    check_reply,
    decode_packet,
    encode_query,
    go_seconds,
    is_loopback_ip,
    make_response,
    reference_timestamp_seconds,
    sanity,
    short_duration_ns,
    split_host_port,
    timestamp_duration_ns,
    timestamp_to_unix_ns,
    unix_ns_to_timestamp,
    validate,
)
from pyexporter.errors import ConfigError, NoDataError, ParseError, PyExporterError
from tests.support import NODE_EXPORTER, collect_text, free_port, make_collector, samples, scrape_once

NS = 1_000_000_000
ERA0 = -2_208_988_800  # 1900-01-01 in Unix seconds
HEADER = struct.Struct(">BBbbIIIQQQQ")
T = 1_700_000_000 * NS  # a Unix time in era 0


def ts(unix_seconds: float) -> int:
    """An NTP timestamp for a Unix time given in seconds (binary fractions only, so exact)."""
    seconds = int(unix_seconds // 1) - ERA0
    frac = unix_seconds - int(unix_seconds // 1)
    return (seconds << 32) | int(frac * (1 << 32))


def packet(*, leap=0, version=4, mode=4, stratum=2, poll=6, precision=-20, root_delay=0,
           root_disp=0, ref_id=0, ref_time=0, origin=0, receive=0, transmit=0) -> bytes:
    return HEADER.pack((leap << 6) | (version << 3) | mode, stratum, poll, precision, root_delay,
                       root_disp, ref_id, ref_time, origin, receive, transmit)


# --- fixed point ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "ns"), [
    (0, 0),
    (1 << 32, NS),
    (1 << 31, NS // 2),
    ((5 << 32) | (1 << 30), 5 * NS + NS // 4),
    (1, 0),                      # 0.23ns rounds down
    (3, 1),                      # 0.698ns rounds up
    ((1 << 64) - 1, ((1 << 32) - 1) * NS + NS),  # the fraction rounds up to a whole second
])
def test_timestamp_duration(raw, ns):
    assert timestamp_duration_ns(raw) == ns


@pytest.mark.parametrize(("raw", "ns"), [
    (0, 0), (1 << 16, NS), (0x8000, NS // 2), (1, 15259), (0xFFFFFFFF, 65535 * NS + 999984741),
])
def test_short_duration(raw, ns):
    assert short_duration_ns(raw) == ns


@pytest.mark.parametrize(("raw", "unix_ns"), [
    (ts(1_700_000_000.5), 1_700_000_000 * NS + NS // 2),
    ((-ERA0) << 32, 0),                       # exactly 1970-01-01
    (0, 2_085_978_496 * NS),                  # NTP zero reads as the start of era 1 (2036)
    (100 << 32, (2_085_978_496 + 100) * NS),  # shortly after the 2036 rollover
])
def test_timestamp_to_unix(raw, unix_ns):
    assert timestamp_to_unix_ns(raw) == unix_ns


@pytest.mark.parametrize("unix_ns", [0, T, T + 123_456_789, (2_085_978_496 + 5) * NS + 1])
def test_unix_timestamp_round_trip(unix_ns):
    assert timestamp_to_unix_ns(unix_ns_to_timestamp(unix_ns)) == unix_ns


def test_era_rollover_wraps_seconds():
    assert unix_ns_to_timestamp((2_085_978_496 + 7) * NS) == 7 << 32


@pytest.mark.parametrize(("ns", "seconds"), [
    (0, 0.0), (1_500_000_000, 1.5), (-1_500_000_000, -1.5), (3_466_080_000, 3.46608), (1, 1e-9),
])
def test_go_seconds(ns, seconds):
    assert go_seconds(ns) == seconds


@pytest.mark.parametrize(("ref_ns", "value"), [
    # float64(UnixNano())/1e9 as node_exporter computes it: the nanoseconds lose bits as a float.
    (T + NS // 4, 1_700_000_000.2499998), (0, 0.0), (NS - 1, 0.0), (NS, 1.0), (-5 * NS, 0.0),
])
def test_reference_timestamp_seconds(ref_ns, value):
    assert reference_timestamp_seconds(ref_ns) == value


# --- packets -------------------------------------------------------------------------------------

def test_encode_query():
    data = encode_query(4, 0x0102030405060708)
    assert len(data) == 48
    assert data[0] == 0x23                 # leap 0, version 4, client mode
    assert data[3] == 0x20                 # precision as beevik/ntp sends it
    assert data[1:3] == b"\0\0" and data[4:40] == b"\0" * 36
    assert data[40:] == bytes(range(1, 9))
    assert encode_query(2, 0)[0] == 0x13


@pytest.mark.parametrize("data", [b"", b"\x24", b"\x24" * 47, b"garbage"])
def test_decode_packet_rejects_short(data):
    with pytest.raises(ParseError):
        decode_packet(data)


def test_decode_packet_fields():
    data = packet(leap=1, version=3, stratum=3, poll=-2, precision=-23, root_delay=0x10000,
                  root_disp=0x8000, ref_id=0x52415445, ref_time=11, origin=12, receive=13,
                  transmit=14) + b"extension and MAC bytes are ignored"
    assert decode_packet(data) == NtpPacket(1, 3, 4, 3, -2, -23, 0x10000, 0x8000, 0x52415445,
                                            11, 12, 13, 14)


def test_decode_packet_garbage_is_still_a_header():
    pkt = decode_packet(b"\xff" * 48)
    assert (pkt.leap, pkt.version, pkt.mode, pkt.stratum, pkt.poll) == (3, 7, 7, 255, -1)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"mode": 3}, "invalid mode"),
    ({"mode": 5}, "invalid mode"),
    ({"transmit": 0}, "invalid transmit time"),
    ({"origin": 99}, "didn't match request"),
    ({"receive": 51}, "ticked backwards"),
])
def test_check_reply_rejects(kwargs, message):
    fields = {"origin": 42, "receive": 40, "transmit": 50} | kwargs
    with pytest.raises(ParseError, match=message):
        check_reply(decode_packet(packet(**fields)), 42)


def test_check_reply_accepts_kiss_of_death():
    check_reply(decode_packet(packet(stratum=0, ref_id=0x52415445, origin=42, transmit=50)), 42)


# --- arithmetic ----------------------------------------------------------------------------------

def _response(rec: float, xmt: float, sent: int, received: int, **kwargs) -> NtpResponse:
    pkt = decode_packet(packet(receive=ts(rec), transmit=ts(xmt), origin=1, **kwargs))
    return make_response(pkt, sent, received)


def test_make_response_server_ahead():
    base = T // NS
    resp = _response(base + 10.25, base + 10.5, T, T + NS, root_delay=0x8000, root_disp=0x4000,
                     ref_time=ts(base - 64), stratum=2, leap=1)
    assert resp.clock_offset_ns == 9_875_000_000      # ((10.25) + (10.5 - 1)) / 2
    assert resp.rtt_ns == 750_000_000                 # 1 - (10.5 - 10.25)
    assert resp.min_error_ns == 9_500_000_000         # the server's reply "arrived before it left"
    assert resp.root_delay_ns == 500_000_000 and resp.root_dispersion_ns == 250_000_000
    assert resp.root_distance_ns == (750_000_000 + 500_000_000) // 2 + 250_000_000
    assert resp.time_ns == T + 10_500_000_000
    assert resp.reference_time_ns == T - 64 * NS
    assert (resp.stratum, resp.leap) == (2, 1)


def test_make_response_server_behind():
    base = T // NS
    resp = _response(base - 9.75, base - 9.5, T, T + NS)
    assert resp.clock_offset_ns == -10_125_000_000
    assert resp.rtt_ns == 750_000_000
    assert resp.min_error_ns == 9_750_000_000


def test_make_response_rtt_never_negative():
    base = T // NS
    # The server claims to have held the request longer than the whole exchange took.
    resp = _response(base, base + 5, T, T + NS)
    assert resp.rtt_ns == 0


def test_make_response_clock_stepped_back():
    base = T // NS
    # The receive time is clamped to the send time, as Go's monotonic clock would have it.
    resp = _response(base + 0.25, base + 0.5, T, T - 5 * NS)
    assert resp.clock_offset_ns == 375_000_000
    assert resp.rtt_ns == 0


def test_make_response_across_era_rollover():
    era1 = 2_085_978_496 * NS
    sent, received = era1 - NS // 2, era1 + NS // 2
    pkt = decode_packet(packet(receive=unix_ns_to_timestamp(era1 - NS // 4),
                               transmit=unix_ns_to_timestamp(era1 + NS // 4), origin=1))
    resp = make_response(pkt, sent, received)
    assert resp.clock_offset_ns == 0
    assert resp.rtt_ns == NS // 2
    assert resp.time_ns == era1 + NS // 4


def _valid(**changes) -> NtpResponse:
    fields = dict(time_ns=T, clock_offset_ns=0, rtt_ns=1000, stratum=2, leap=0,
                  reference_time_ns=T - 60 * NS, root_delay_ns=NS // 100, root_dispersion_ns=NS // 100,
                  root_distance_ns=NS // 50, min_error_ns=0)
    return NtpResponse(**(fields | changes))


@pytest.mark.parametrize(("changes", "error"), [
    ({}, None),
    ({"stratum": 1}, None),
    ({"stratum": 15}, None),
    ({"leap": 1}, None),
    ({"stratum": 0}, "kiss of death received"),
    ({"stratum": 16}, "invalid stratum in response"),
    ({"stratum": 255}, "invalid stratum in response"),
    ({"reference_time_ns": T - (1 << 17) * NS - 1}, "server clock not fresh"),
    ({"reference_time_ns": T - (1 << 17) * NS}, None),
    ({"root_delay_ns": 2 * NS, "root_dispersion_ns": 15 * NS + 1}, "invalid dispersion in response"),
    ({"root_delay_ns": 2 * NS, "root_dispersion_ns": 15 * NS}, None),
    ({"reference_time_ns": T + 1}, "invalid time reported"),
    ({"leap": 3}, "invalid leap second in response"),
])
def test_validate(changes, error):
    assert validate(_valid(**changes)) == error


MAX_DIST = 3_466_080_000
TOLERANCE = 1_000_000


@pytest.mark.parametrize(("changes", "ok"), [
    ({}, True),
    ({"root_distance_ns": MAX_DIST}, True),
    ({"root_distance_ns": MAX_DIST + 1}, False),
    ({"min_error_ns": TOLERANCE}, True),
    ({"min_error_ns": TOLERANCE + 1}, False),
    ({"stratum": 0}, False),
    ({"leap": 3}, False),
])
def test_sanity(changes, ok):
    assert sanity(_valid(**changes), MAX_DIST, TOLERANCE, None) == (ok, None)


def test_sanity_tolerates_leap_smearing_around_announced_midnight():
    day = 86_400 * NS
    noon = (T // day) * day + day // 2
    midnight = (T // day) * day + day
    ok, cached = sanity(_valid(time_ns=noon, reference_time_ns=noon - NS, leap=1, min_error_ns=NS // 2),
                        MAX_DIST, TOLERANCE, None)
    assert (ok, cached) == (True, midnight)
    # The flag is gone after midnight, the cached midnight still buys one second ...
    after = midnight + day // 2
    assert sanity(_valid(time_ns=after, reference_time_ns=after - NS, min_error_ns=NS // 2),
                  MAX_DIST, TOLERANCE, cached) == (True, midnight)
    # ... but not a day later.
    later = midnight + day + 1
    assert sanity(_valid(time_ns=later, reference_time_ns=later - NS, min_error_ns=NS // 2),
                  MAX_DIST, TOLERANCE, cached) == (False, midnight)


@pytest.mark.parametrize(("address", "expected"), [
    ("127.0.0.1", ("127.0.0.1", 123)),
    ("127.0.0.1:1234", ("127.0.0.1", 1234)),
    ("ntp.local", ("ntp.local", 123)),
    ("ntp.local:99", ("ntp.local", 99)),
    ("::1", ("::1", 123)),
    ("[::1]", ("::1", 123)),
    ("[::1]:5", ("::1", 5)),
])
def test_split_host_port(address, expected):
    assert split_host_port(address, 123) == expected


@pytest.mark.parametrize("address", ["", "[::1", "[::1]x", "host:port", "host:99999", "[::1]:"])
def test_split_host_port_rejects(address):
    with pytest.raises(ParseError):
        split_host_port(address, 123)


@pytest.mark.parametrize(("text", "loopback"), [
    ("127.0.0.1", True), ("127.5.6.7", True), ("::1", True), ("::ffff:127.0.0.1", True),
    ("10.0.0.1", False), ("localhost", False), ("127.0.0.1:123", False), ("::1%lo", False),
    ("0127.0.0.1", False), ("", False), ("pool.ntp.org", False),
])
def test_is_loopback_ip(text, loopback):
    assert is_loopback_ip(text) is loopback


# --- collector construction ----------------------------------------------------------------------

@pytest.mark.parametrize(("flags", "message"), [
    (("--collector.ntp.server=10.1.2.3",), "only IP address of local NTP server is valid"),
    (("--collector.ntp.server=localhost",), "only IP address of local NTP server is valid"),
    (("--collector.ntp.protocol-version=5",), "invalid NTP protocol version 5; must be 2, 3, or 4"),
    (("--collector.ntp.protocol-version=1",), "invalid NTP protocol version 1; must be 2, 3, or 4"),
    (("--collector.ntp.server-port=0",), "invalid NTP port number 0; must be between 1 and 65535"),
    (("--collector.ntp.server-port=65536",), "invalid NTP port number 65536"),
])
def test_config_errors(tmp_path, flags, message):
    with pytest.raises(ConfigError, match=message):
        make_collector("ntp", tmp_path, *flags)


def test_server_is_local_allows_any_server(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        collector = make_collector("ntp", tmp_path, "--collector.ntp.server=ntp.example",
                                   "--collector.ntp.server-is-local")
    assert collector.server == "ntp.example"
    assert [r.getMessage() for r in caplog.records] == [DEPRECATION_WARNING]
    assert caplog.records[0].collector == "ntp"


def test_disabled_by_default():
    from pyexporter.cli import parse_args
    assert "ntp" not in parse_args([]).enabled_collectors


# --- against a fake server -----------------------------------------------------------------------

Responder = Callable[[bytes], bytes | None]


@contextmanager
def fake_ntp_server(respond: Responder, host: str = "127.0.0.1") -> Iterator[int]:
    """A UDP socket on loopback answering each request with respond(request) (None: no answer)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, 0))
    sock.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                data, addr = sock.recvfrom(2048)
            except TimeoutError:
                continue
            except OSError:
                return
            reply = respond(data)
            if reply is not None:
                sock.sendto(reply, addr)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        sock.close()


def server_reply(**kwargs) -> Responder:
    """A server whose clock is this machine's, echoing the request's transmit time as origin."""
    def respond(request: bytes) -> bytes:
        nonce = struct.unpack_from(">Q", request, 40)[0]
        now = unix_ns_to_timestamp(time.time_ns())
        fields = {"origin": nonce, "receive": now, "transmit": now,
                  "ref_time": unix_ns_to_timestamp(time.time_ns() - 32 * NS)} | kwargs
        return packet(**fields)
    return respond


def ntp_collector(tmp_path, port: int, *flags: str):
    return make_collector("ntp", tmp_path, "--collector.ntp", f"--collector.ntp.server-port={port}", *flags)


def test_collector_against_fake_server(tmp_path):
    requests: list[bytes] = []
    inner = server_reply(stratum=3, root_delay=0x0800, root_disp=0x0400, leap=0)

    def respond(request: bytes) -> bytes:
        requests.append(request)
        return inner(request)

    with fake_ntp_server(respond) as port:
        collector = ntp_collector(tmp_path, port, "--collector.ntp.protocol-version=3")
        got = samples(collector.collect())
        text = collect_text(collector)
    assert requests[0][0] == 0x1B and len(requests[0]) == 48   # version 3, client mode
    assert got["node_ntp_stratum"] == 3
    assert got["node_ntp_leap"] == 0
    assert got["node_ntp_root_delay_seconds"] == 0.03125
    assert got["node_ntp_root_dispersion_seconds"] == 0.015625
    assert got["node_ntp_sanity"] == 1
    assert abs(got["node_ntp_offset_seconds"]) < 0.5
    assert 0 <= got["node_ntp_rtt_seconds"] < 0.5
    assert abs(got["node_ntp_reference_timestamp_seconds"] - (time.time() - 32)) < 5
    assert "# HELP node_ntp_sanity NTPD sanity according to RFC5905 heuristics and configured limits.\n" \
           "# TYPE node_ntp_sanity gauge\n" in text
    assert "# HELP node_ntp_offset_seconds ClockOffset between NTP and local clock.\n" in text
    assert len([line for line in text.splitlines() if not line.startswith("#")]) == 8


def test_server_address_with_port(tmp_path):
    with fake_ntp_server(server_reply()) as port:
        collector = make_collector("ntp", tmp_path, f"--collector.ntp.server=127.0.0.1:{port}",
                                   "--collector.ntp.server-is-local")
        assert samples(collector.collect())["node_ntp_stratum"] == 2


def test_ipv6_loopback_server(tmp_path):
    try:
        server = fake_ntp_server(server_reply(stratum=5), "::1")
        port = server.__enter__()
    except OSError:
        pytest.skip("no IPv6 loopback")
    try:
        got = samples(ntp_collector(tmp_path, port, "--collector.ntp.server=::1").collect())
    finally:
        server.__exit__(None, None, None)
    assert got["node_ntp_stratum"] == 5


def test_kiss_of_death_is_reported_insane(tmp_path):
    with fake_ntp_server(server_reply(stratum=0, ref_id=int.from_bytes(b"RATE", "big"))) as port:
        got = samples(ntp_collector(tmp_path, port).collect())
    assert got["node_ntp_stratum"] == 0
    assert got["node_ntp_sanity"] == 0


def test_unsynchronised_server_is_insane(tmp_path):
    with fake_ntp_server(server_reply(leap=3, stratum=16)) as port:
        got = samples(ntp_collector(tmp_path, port).collect())
    assert (got["node_ntp_leap"], got["node_ntp_stratum"], got["node_ntp_sanity"]) == (3, 16, 0)


def test_zero_reference_time_reads_as_2036(tmp_path):
    # beevik/ntp reads raw timestamps before 1970 as NTP era 1, so a zero reference time is
    # 2036-02-07 (and later than the reply: not sane).
    with fake_ntp_server(server_reply(ref_time=0)) as port:
        got = samples(ntp_collector(tmp_path, port).collect())
    assert got["node_ntp_reference_timestamp_seconds"] == 2_085_978_496
    assert got["node_ntp_sanity"] == 0


@pytest.mark.parametrize("reply", [
    lambda req: b"",
    lambda req: b"\x24" * 20,
    lambda req: b"<html>not ntp</html>" * 3,
    lambda req: packet(origin=struct.unpack_from(">Q", req, 40)[0], transmit=0),
    lambda req: packet(origin=12345, transmit=1 << 40),
    lambda req: packet(mode=3, origin=struct.unpack_from(">Q", req, 40)[0], transmit=1 << 40),
])
def test_bad_replies_fail_the_scrape(tmp_path, reply):
    with fake_ntp_server(reply) as port:
        with pytest.raises(ParseError, match="couldn't get SNTP reply"):
            list(ntp_collector(tmp_path, port).collect())


def test_silent_server_is_no_data(tmp_path):
    with fake_ntp_server(lambda req: None) as port:
        with pytest.raises(NoDataError, match="couldn't get SNTP reply"):
            list(ntp_collector(tmp_path, port).collect())


def test_closed_port_is_no_data(tmp_path):
    with pytest.raises(NoDataError):
        list(ntp_collector(tmp_path, free_port()).collect())


#: A reference time fixed for the whole test run, recent enough to be "fresh".
RECENT_REF = unix_ns_to_timestamp((time.time_ns() // NS - 64) * NS)


@pytest.mark.skipif(not NODE_EXPORTER.exists(), reason="reference node_exporter not installed")
@pytest.mark.parametrize("fields", [
    {"stratum": 4, "root_delay": 0x1234, "root_disp": 0x0567, "ref_time": ts(1_700_000_000.5)},
    {"stratum": 2, "root_delay": 0x0100, "root_disp": 0x0080, "ref_time": RECENT_REF},
    {"stratum": 1, "leap": 1, "ref_time": RECENT_REF},
    {"stratum": 0, "ref_id": int.from_bytes(b"DENY", "big"), "ref_time": RECENT_REF},
    {"stratum": 16, "leap": 3, "ref_time": RECENT_REF},
    {"stratum": 2, "root_disp": 0x00110000, "ref_time": RECENT_REF},
])
def test_same_output_as_node_exporter(tmp_path, fields):
    """node_exporter 1.5.0 against the same fake server. The clock-derived offset and RTT differ
    per query and are left out. Reference times stay in era 0: for a zero reference time 1.5.0's
    older beevik/ntp reports 0 where 1.12.1's (v1.5.0, era-aware) reports 2036-02-07
    (test_zero_reference_time_reads_as_2036)."""
    with fake_ntp_server(server_reply(**fields)) as port:
        flags = ["--collector.disable-defaults", "--collector.ntp", f"--collector.ntp.server-port={port}"]
        theirs = scrape_once([str(NODE_EXPORTER)], flags)
        ours = scrape_once(["python", "-m", "pyexporter"], flags)

    def ntp_lines(text: str) -> list[str]:
        return [line for line in text.splitlines()
                if "node_ntp_" in line and "offset_seconds " not in line and "rtt_seconds " not in line]

    assert ntp_lines(ours) == ntp_lines(theirs)
    assert 'node_scrape_collector_success{collector="ntp"} 1' in ours


def test_public_server_refused_at_start():
    import subprocess
    import sys

    from tests.support import REPO
    proc = subprocess.run([sys.executable, "-m", "pyexporter", "--collector.disable-defaults",
                           "--collector.ntp", "--collector.ntp.server=192.0.2.1",
                           "--web.listen-address=127.0.0.1:0"],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        "pyexporter: error: collector ntp: only IP address of local NTP server is valid for "
        "--collector.ntp.server")


@pytest.mark.parametrize("server", ["bad\0name", "x" * 64 + ".example"])
def test_unusable_server_name_fails_the_scrape(tmp_path, server):
    collector = make_collector("ntp", tmp_path, f"--collector.ntp.server={server}",
                               "--collector.ntp.server-is-local")
    with pytest.raises(PyExporterError, match="couldn't get SNTP reply"):
        list(collector.collect())
