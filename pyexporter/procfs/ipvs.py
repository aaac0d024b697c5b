"""IPVS: /proc/net/ip_vs_stats (totals) and /proc/net/ip_vs (virtual servers and their real servers).

Both as prometheus/procfs parses them: the stats totals are hexadecimal; in
ip_vs an IPv4 address:port is printed as 8+4 hex digits, an IPv6 one as the
bracketed full address and 4 hex digits of port.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint
from pyexporter.golang.strings import go_fields, go_lines

_IPV4_IP_PORT_LEN = len("C0A80016:0CEA")
_IPV6_IP_PORT_LEN = len("[2620:0000:0000:0000:0000:0000:0000:0080]:0050")


@dataclass(frozen=True, slots=True)
class IPVSStats:
    connections: int
    incoming_packets: int
    outgoing_packets: int
    incoming_bytes: int
    outgoing_bytes: int


@dataclass(frozen=True, slots=True)
class IPVSBackendStatus:
    """One real server of one virtual server."""

    local_address: str  # "" for firewall-mark services
    local_port: int
    local_mark: str  # the FWM line's mark as printed (hex); "" for TCP/UDP services
    proto: str
    remote_address: str
    remote_port: int
    active_conn: int
    inact_conn: int
    weight: int


def parse_ipvs_stats(text: str) -> IPVSStats:
    """The five totals on the third line of ip_vs_stats."""
    lines = text.split("\n", 3)
    if len(lines) != 4:
        raise ParseError("ip_vs_stats corrupt: too short")
    fields = go_fields(lines[2])
    if len(fields) != 5:
        raise ParseError("ip_vs_stats corrupt: unexpected number of fields")
    return IPVSStats(*(parse_uint(f, 16) for f in fields))


def format_ip(packed: bytes) -> str:
    """An address as Go's net.IP.String() prints it (IPv4-mapped IPv6 as dotted quad)."""
    if len(packed) == 4:
        return str(ipaddress.IPv4Address(packed))
    address = ipaddress.IPv6Address(packed)
    mapped = address.ipv4_mapped
    return str(mapped) if mapped is not None else address.compressed


def parse_ip_port(text: str) -> tuple[str, int]:
    """'C0A80016:0CEA' or '[2620:0:...:80]:0050' -> (address, port)."""
    if len(text) == _IPV4_IP_PORT_LEN:
        digits = text[:8]
        if not all(c in "0123456789abcdefABCDEF" for c in digits):
            raise ParseError(f"invalid IPv4 address {digits!r}")
        packed = bytes.fromhex(digits)
    elif len(text) == _IPV6_IP_PORT_LEN:
        inner = text[1:40]
        try:
            if "%" in inner:  # Python accepts a scope id, Go's ParseIP does not
                raise ValueError(inner)
            packed = ipaddress.ip_address(inner).packed
        except ValueError:
            raise ParseError(f"invalid IPv6 address: {inner!r}") from None
    else:
        raise ParseError(f"unexpected IP:Port: {text[:60]!r}")
    return format_ip(packed), parse_uint(text[-4:], 16, 16)


def parse_ipvs_backend_status(text: str) -> list[IPVSBackendStatus]:
    """Every real server line of ip_vs, with the virtual server it belongs to."""
    out: list[IPVSBackendStatus] = []
    proto = local_mark = local_address = ""
    local_port = 0
    for line in go_lines(text):
        fields = go_fields(line)
        if not fields:
            continue
        head = fields[0]
        if head in ("IP", "Prot"):
            continue
        if len(fields) < 2:
            raise ParseError(f"invalid ip_vs line {line[:80]!r}")
        if fields[1] == "RemoteAddress:Port":
            continue
        if head in ("TCP", "UDP"):
            proto, local_mark = head, ""
            local_address, local_port = parse_ip_port(fields[1])
        elif head == "FWM":
            proto, local_mark = head, fields[1]
            local_address, local_port = "", 0
        elif head == "->":
            if len(fields) < 6:
                continue
            remote_address, remote_port = parse_ip_port(fields[1])
            weight = parse_uint(fields[3])
            active = parse_uint(fields[4])
            inactive = parse_uint(fields[5])
            out.append(IPVSBackendStatus(
                local_address, local_port, local_mark, proto,
                remote_address, remote_port, active, inactive, weight,
            ))
        # Other services (SCTP) are not known to procfs; their real servers are
        # read as belonging to the service before, as procfs reads them.
    return out
