"""ntp (deprecated): one SNTP query to a local NTP server, as node_exporter's ntp collector.

node_exporter queries with beevik/ntp (v1.5.0 in node_exporter 1.12.1); the packet
layout, the fixed-point arithmetic and the checks below follow that library so the
values (offset, RTT, root distance, minimum error) and the sanity verdict match it
to the nanosecond. Everything except `query_server` is a pure function.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from pyexporter.errors import ConfigError, NoDataError, ParseError
from pyexporter.flags import BoolFlag, DurationFlag, IntFlag, StringFlag
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)

DEPRECATION_WARNING = "This collector is deprecated and will be removed in the next major version release."

PACKET_SIZE = 48
_HEADER = struct.Struct(">BBbbIIIQQQQ")
_NS = 1_000_000_000
_U64 = (1 << 64) - 1
_DAY_NS = 86_400 * _NS
#: Unix times of the NTP era starts: 1900-01-01 and 2036-02-07T06:28:16Z.
_ERA0_UNIX = -2_208_988_800
_ERA1_UNIX = 2_085_978_496
#: Raw timestamps below 1970-01-01 (era 0) are read as era 1, as beevik/ntp does.
_T1970 = 0x83AA7E8000000000
_MODE_CLIENT = 3
_MODE_SERVER = 4
LEAP_ADD_SECOND = 1
LEAP_DEL_SECOND = 2
LEAP_NOT_IN_SYNC = 3
_MAX_STRATUM = 16
_MAX_POLL_INTERVAL_NS = (1 << 17) * _NS
_MAX_DISPERSION_NS = 16 * _NS
#: node_exporter's query timeout ("default `ntpdate` timeout").
QUERY_TIMEOUT = 1.0
_RECV_BUFFER = 8192


@dataclass(frozen=True, slots=True)
class NtpPacket:
    """The 48-byte NTPv3/v4 header, fields as on the wire (timestamps Q32.32, short times Q16.16)."""

    leap: int
    version: int
    mode: int
    stratum: int
    poll: int
    precision: int
    root_delay: int
    root_dispersion: int
    reference_id: int
    reference_time: int
    origin_time: int
    receive_time: int
    transmit_time: int


@dataclass(frozen=True, slots=True)
class NtpResponse:
    """beevik/ntp's Response, times as Unix nanoseconds and durations as nanoseconds."""

    time_ns: int
    clock_offset_ns: int
    rtt_ns: int
    stratum: int
    leap: int
    reference_time_ns: int
    root_delay_ns: int
    root_dispersion_ns: int
    root_distance_ns: int
    min_error_ns: int


def _signed64(value: int) -> int:
    value &= _U64
    return value - (1 << 64) if value >= 1 << 63 else value


def _go_div(a: int, b: int) -> int:
    """Go's integer division, which truncates toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def timestamp_duration_ns(ts: int) -> int:
    """A Q32.32 value as nanoseconds, the fraction rounded half up."""
    seconds = (ts >> 32) * _NS
    frac = (ts & 0xFFFFFFFF) * _NS
    nsec = frac >> 32
    if frac & 0xFFFFFFFF >= 0x80000000:
        nsec += 1
    return seconds + nsec


def short_duration_ns(value: int) -> int:
    """A Q16.16 value (root delay, root dispersion) as nanoseconds, rounded half up."""
    seconds = (value >> 16) * _NS
    frac = (value & 0xFFFF) * _NS
    nsec = frac >> 16
    if frac & 0xFFFF >= 0x8000:
        nsec += 1
    return seconds + nsec


def timestamp_to_unix_ns(ts: int) -> int:
    """An NTP timestamp as Unix nanoseconds; values before 1970 in era 0 are taken as era 1."""
    era = _ERA1_UNIX if ts < _T1970 else _ERA0_UNIX
    return era * _NS + timestamp_duration_ns(ts)


def unix_ns_to_timestamp(unix_ns: int) -> int:
    """Unix nanoseconds as an NTP timestamp (seconds wrap at the era boundary, as in Go)."""
    nsec = (unix_ns - _ERA0_UNIX * _NS) & _U64
    seconds = nsec // _NS
    remainder = (nsec - seconds * _NS) << 32
    frac = remainder // _NS
    if remainder % _NS >= _NS // 2:
        frac += 1
    return ((seconds << 32) | frac) & _U64


def encode_query(version: int, nonce: int) -> bytes:
    """The client request: leap 0, the version, client mode, precision 0x20 and a random
    transmit timestamp (beevik/ntp sends no clock reading, for data minimization)."""
    if not 2 <= version <= 7:
        raise ParseError(f"NTP version {version} does not fit the header")
    return _HEADER.pack((version << 3) | _MODE_CLIENT, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, nonce & _U64)


def decode_packet(data: bytes) -> NtpPacket:
    """The header of a reply; bytes after the first 48 (extensions, MAC) are ignored."""
    if len(data) < PACKET_SIZE:
        raise ParseError(f"NTP reply too short: {len(data)} bytes, {PACKET_SIZE} expected")
    (li_vn_mode, stratum, poll, precision, root_delay, root_disp, ref_id,
     ref_time, origin, receive, transmit) = _HEADER.unpack_from(data)
    return NtpPacket((li_vn_mode >> 6) & 3, (li_vn_mode >> 3) & 7, li_vn_mode & 7, stratum, poll,
                     precision, root_delay, root_disp, ref_id, ref_time, origin, receive, transmit)


def check_reply(packet: NtpPacket, nonce: int) -> None:
    """The checks beevik/ntp makes before returning a response at all."""
    if packet.mode != _MODE_SERVER:
        raise ParseError("invalid mode in response")
    if packet.transmit_time == 0:
        raise ParseError("invalid transmit time in response")
    if packet.origin_time != nonce & _U64:
        raise ParseError("server response didn't match request")
    if packet.receive_time > packet.transmit_time:
        raise ParseError("server clock ticked backwards")


def make_response(packet: NtpPacket, xmit_unix_ns: int, recv_unix_ns: int) -> NtpResponse:
    """Offset, RTT, root distance and minimum error from a checked reply and the local send and
    receive times, in beevik/ntp's 64-bit fixed-point arithmetic (era rollover included)."""
    org = unix_ns_to_timestamp(xmit_unix_ns)
    rec, xmt = packet.receive_time, packet.transmit_time
    dst = unix_ns_to_timestamp(max(recv_unix_ns, xmit_unix_ns))

    a = _signed64(rec - org)
    b = _signed64(xmt - dst)
    offset = _signed64(a + _go_div(_signed64(b - a), 2))
    offset_ns = -timestamp_duration_ns(-offset) if offset < 0 else timestamp_duration_ns(offset)

    rtt = _signed64(_signed64(dst - org) - _signed64(xmt - rec))
    rtt_ns = timestamp_duration_ns(max(rtt, 0))

    error0 = org - rec if org >= rec else 0
    error1 = xmt - dst if xmt >= dst else 0
    min_error_ns = timestamp_duration_ns(max(error0, error1))

    root_delay_ns = short_duration_ns(packet.root_delay)
    root_disp_ns = short_duration_ns(packet.root_dispersion)
    return NtpResponse(
        time_ns=timestamp_to_unix_ns(xmt),
        clock_offset_ns=offset_ns,
        rtt_ns=rtt_ns,
        stratum=packet.stratum,
        leap=packet.leap,
        reference_time_ns=timestamp_to_unix_ns(packet.reference_time),
        root_delay_ns=root_delay_ns,
        root_dispersion_ns=root_disp_ns,
        root_distance_ns=(rtt_ns + root_delay_ns) // 2 + root_disp_ns,
        min_error_ns=min_error_ns,
    )


def validate(resp: NtpResponse) -> str | None:
    """beevik/ntp's Response.Validate: the reason the response is unfit for synchronization,
    or None. Stratum 0 is a kiss-of-death."""
    if resp.stratum == 0:
        return "kiss of death received"
    if resp.stratum >= _MAX_STRATUM:
        return "invalid stratum in response"
    if resp.time_ns - resp.reference_time_ns > _MAX_POLL_INTERVAL_NS:
        return "server clock not fresh"
    if resp.root_delay_ns // 2 + resp.root_dispersion_ns > _MAX_DISPERSION_NS:
        return "invalid dispersion in response"
    if resp.time_ns < resp.reference_time_ns:
        return "invalid time reported"
    if resp.leap == LEAP_NOT_IN_SYNC:
        return "invalid leap second in response"
    return None


def sanity(resp: NtpResponse, max_distance_ns: int, tolerance_ns: int,
           leap_midnight_ns: int | None) -> tuple[bool, int | None]:
    """node_exporter's node_ntp_sanity verdict and the new cached leap midnight.

    A leap flag is dropped right after midnight, so the midnight it announced is
    remembered; within a day of it one more second of error is tolerated (smearing).
    """
    max_error = tolerance_ns
    if resp.leap in (LEAP_ADD_SECOND, LEAP_DEL_SECOND):
        leap_midnight_ns = (resp.time_ns // _DAY_NS) * _DAY_NS + _DAY_NS
    if leap_midnight_ns is not None and \
            leap_midnight_ns - _DAY_NS < resp.time_ns < leap_midnight_ns + _DAY_NS:
        max_error += _NS
    ok = (validate(resp) is None and resp.root_distance_ns <= max_distance_ns
          and resp.min_error_ns <= max_error)
    return ok, leap_midnight_ns


def go_seconds(ns: int) -> float:
    """time.Duration.Seconds(): whole seconds plus the remainder, each converted on its own."""
    whole = _go_div(ns, _NS)
    return float(whole) + float(ns - whole * _NS) / 1e9


def reference_timestamp_seconds(reference_time_ns: int) -> float:
    """Reference times at or before the Unix epoch (NTP's zero included) are reported as 0."""
    if reference_time_ns // _NS > 0:
        return float(reference_time_ns) / 1e9
    return 0.0


def split_host_port(address: str, default_port: int) -> tuple[str, int]:
    """beevik/ntp's address forms: host, host:port, [v6], [v6]:port, bare v6."""
    if not address:
        raise ParseError("address string is empty")
    if address[0] == "[":
        end = address.find("]")
        if end < 0:
            raise ParseError("missing ']' in address")
        host, rest = address[1:end], address[end + 1:]
        if not rest:
            return host, default_port
        if rest[0] != ":":
            raise ParseError("unexpected character following ']' in address")
        return host, _parse_port(rest[1:])
    last = address.rfind(":")
    if last < 0:
        return address, default_port
    if address.rfind(":", 0, last) < 0:
        return address[:last], _parse_port(address[last + 1:])
    return address, default_port


def _parse_port(text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 5 or int(text) > 65535:
        raise ParseError(f"invalid port {text[:20]!r}")
    return int(text)


def is_loopback_ip(text: str) -> bool:
    """Go's net.ParseIP(text).IsLoopback(): only a literal address (no zone), 127/8 or ::1,
    IPv4-mapped loopback included."""
    if "%" in text:
        return False
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback


def query_server(host: str, port: int, version: int, ttl: int) -> tuple[NtpResponse, NtpPacket]:
    """One SNTP exchange over UDP. OSError when the server cannot be reached, ParseError when
    its reply makes no sense."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    # Go's resolver for "udp" prefers an IPv4 address when the name has both.
    infos.sort(key=lambda info: info[0] != socket.AF_INET)
    family, socktype, proto, _, addr = infos[0]
    nonce = secrets.randbits(64)
    with socket.socket(family, socktype, proto) as sock:
        sock.connect(addr)
        if ttl != 0:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
        deadline = time.monotonic() + QUERY_TIMEOUT
        sock.settimeout(QUERY_TIMEOUT)
        xmit_ns = time.time_ns()
        start = time.monotonic_ns()
        sock.send(encode_query(version, nonce))
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        data = sock.recv(_RECV_BUFFER)
        recv_ns = time.time_ns()
        # A wall clock stepped back mid-exchange: Go's monotonic reading makes that no time at all.
        if time.monotonic_ns() < start or recv_ns < xmit_ns:
            recv_ns = xmit_ns
    packet = decode_packet(data)
    check_reply(packet, nonce)
    return make_response(packet, xmit_ns, recv_ns), packet


SERVER = StringFlag("collector.ntp.server", "NTP server to use for ntp collector", "127.0.0.1")
SERVER_PORT = IntFlag("collector.ntp.server-port", "UDP port number to connect to on NTP server", 123)
PROTOCOL_VERSION = IntFlag("collector.ntp.protocol-version", "NTP protocol version", 4)
SERVER_IS_LOCAL = BoolFlag("collector.ntp.server-is-local",
                           "Certify that collector.ntp.server address is not a public ntp server")
IP_TTL = IntFlag("collector.ntp.ip-ttl", "IP TTL to use while sending NTP query", 1)
MAX_DISTANCE = DurationFlag("collector.ntp.max-distance", "Max accumulated distance to the root", "3.46608s")
LOCAL_OFFSET_TOLERANCE = DurationFlag("collector.ntp.local-offset-tolerance",
                                      "Offset between local clock and local ntpd time to tolerate", "1ms")


@register
class NtpCollector(Collector):
    name = "ntp"
    default_enabled = False
    flags = (SERVER, SERVER_PORT, PROTOCOL_VERSION, SERVER_IS_LOCAL, IP_TTL, MAX_DISTANCE,
             LOCAL_OFFSET_TOLERANCE)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.server = settings[SERVER] or ""
        self.port = settings[SERVER_PORT]
        self.version = settings[PROTOCOL_VERSION]
        self.ttl = settings[IP_TTL]
        tolerance = settings[LOCAL_OFFSET_TOLERANCE]
        # node_exporter refuses to spam public NTP servers: only a loopback literal, unless certified.
        if not settings[SERVER_IS_LOCAL] and not is_loopback_ip(self.server):
            raise ConfigError("only IP address of local NTP server is valid for --collector.ntp.server")
        if not 2 <= self.version <= 4:
            raise ConfigError(f"invalid NTP protocol version {self.version}; must be 2, 3, or 4")
        if tolerance < 0:
            raise ConfigError("offset tolerance must be non-negative")
        if not 1 <= self.port <= 65535:
            raise ConfigError(f"invalid NTP port number {self.port}; must be between 1 and 65535 inclusive")
        self.tolerance_ns = round(tolerance * _NS)
        self.max_distance_ns = round(settings[MAX_DISTANCE] * _NS)
        log.warning(DEPRECATION_WARNING, extra={"collector": self.name})

        self._leap_lock = threading.Lock()
        self._leap_midnight_ns: int | None = None
        sub = f"{NAMESPACE}_ntp"
        self.stratum = gauge(f"{sub}_stratum", "NTPD stratum.")
        self.leap = gauge(f"{sub}_leap", "NTPD leap second indicator, 2 bits.")
        self.rtt = gauge(f"{sub}_rtt_seconds", "RTT to NTPD.")
        self.offset = gauge(f"{sub}_offset_seconds", "ClockOffset between NTP and local clock.")
        self.reftime = gauge(f"{sub}_reference_timestamp_seconds", "NTPD ReferenceTime, UNIX timestamp.")
        self.root_delay = gauge(f"{sub}_root_delay_seconds", "NTPD RootDelay.")
        self.root_dispersion = gauge(f"{sub}_root_dispersion_seconds", "NTPD RootDispersion.")
        self.sanity = gauge(f"{sub}_sanity",
                            "NTPD sanity according to RFC5905 heuristics and configured limits.")

    def collect(self) -> Iterator[MetricFamily]:
        try:
            host, port = split_host_port(self.server, self.port)
            resp, _ = query_server(host, port, self.version, self.ttl)
        except OSError as exc:
            raise NoDataError(f"couldn't get SNTP reply: {exc}") from None
        except ValueError as exc:
            # A server name the resolver cannot take (NUL byte, IDNA failure).
            raise ParseError(f"couldn't get SNTP reply: {exc}") from None
        except ParseError as exc:
            raise ParseError(f"couldn't get SNTP reply: {exc}") from None
        with self._leap_lock:
            ok, self._leap_midnight_ns = sanity(resp, self.max_distance_ns, self.tolerance_ns,
                                                self._leap_midnight_ns)
        yield self.stratum.one(resp.stratum)
        yield self.leap.one(resp.leap)
        yield self.rtt.one(go_seconds(resp.rtt_ns))
        yield self.offset.one(go_seconds(resp.clock_offset_ns))
        yield self.reftime.one(reference_timestamp_seconds(resp.reference_time_ns))
        yield self.root_delay.one(go_seconds(resp.root_delay_ns))
        yield self.root_dispersion.one(go_seconds(resp.root_dispersion_ns))
        yield self.sanity.one(1 if ok else 0)
