"""infiniband: InfiniBand/RDMA devices and port counters from /sys/class/infiniband."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator

from pyexporter import fs
from pyexporter.errors import NoDataError, ParseError, raise_if_parts_failed
from pyexporter.filters import DeviceFilter
from pyexporter.flags import RegexFlag
from pyexporter.metrics import NAMESPACE, MetricFamily, counter, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import read_value, uint_or_none, valid_utf8
from pyexporter.sysfs.infiniband import parse_counter, parse_port_state, parse_rate

log = logging.getLogger(__name__)

_MASK64 = (1 << 64) - 1
#: Data counters count 32-bit words per lane; Mellanox says "divided by 4
#: unconditionally", so node_exporter multiplies them by 4 to get octets.
_WORD_COUNTERS = frozenset({"port_rcv_data", "port_xmit_data", "port_rcv_data_64", "port_xmit_data_64"})

#: counters/<file> -> (metric name, HELP)
PORT_COUNTERS: dict[str, tuple[str, str]] = {
    "excessive_buffer_overrun_errors": (
        "excessive_buffer_overrun_errors_total",
        "Number of times that OverrunErrors consecutive flow control update periods occurred, "
        "each having at least one overrun error."),
    "link_downed": ("link_downed_total",
                    "Number of times the link failed to recover from an error state and went down"),
    "link_error_recovery": ("link_error_recovery_total",
                            "Number of times the link successfully recovered from an error state"),
    "local_link_integrity_errors": (
        "local_link_integrity_errors_total",
        "Number of times that the count of local physical errors exceeded the threshold specified by "
        "LocalPhyErrors."),
    "multicast_rcv_packets": ("multicast_packets_received_total",
                              "Number of multicast packets received (including errors)"),
    "multicast_xmit_packets": ("multicast_packets_transmitted_total",
                               "Number of multicast packets transmitted (including errors)"),
    "port_rcv_constraint_errors": (
        "port_constraint_errors_received_total",
        "Number of packets received on the switch physical port that are discarded"),
    "port_xmit_constraint_errors": ("port_constraint_errors_transmitted_total",
                                    "Number of packets not transmitted from the switch physical port"),
    "port_rcv_data": ("port_data_received_bytes_total", "Number of data octets received on all links"),
    "port_xmit_data": ("port_data_transmitted_bytes_total", "Number of data octets transmitted on all links"),
    "port_rcv_discards": (
        "port_discards_received_total",
        "Number of inbound packets discarded by the port because the port is down or congested"),
    "port_xmit_discards": (
        "port_discards_transmitted_total",
        "Number of outbound packets discarded by the port because the port is down or congested"),
    "port_rcv_errors": ("port_errors_received_total",
                        "Number of packets containing an error that were received on this port"),
    "port_rcv_packets": ("port_packets_received_total",
                         "Number of packets received on all VLs by this port (including errors)"),
    "port_xmit_packets": ("port_packets_transmitted_total",
                          "Number of packets transmitted on all VLs from this port (including errors)"),
    "port_xmit_wait": (
        "port_transmit_wait_total",
        "Number of ticks during which the port had data to transmit but no data was sent during the "
        "entire tick"),
    "port_rcv_remote_physical_errors": (
        "port_receive_remote_physical_errors_total",
        "Number of packets marked with the EBP (End of Bad Packet) delimiter received on the port."),
    "port_rcv_switch_relay_errors": ("port_receive_switch_relay_errors_total",
                                     "Number of packets that could not be forwarded by the switch."),
    "symbol_error": ("symbol_error_total",
                     "Number of minor link errors detected on one or more physical lanes."),
    "unicast_rcv_packets": ("unicast_packets_received_total",
                            "Number of unicast packets received (including errors)"),
    "unicast_xmit_packets": ("unicast_packets_transmitted_total",
                             "Number of unicast packets transmitted (including errors)"),
    "VL15_dropped": ("vl15_dropped_total",
                     "Number of incoming VL15 packets dropped due to resource limitations."),
}

#: counters_ext/<file> (64-bit counters of kernels before 4.5) -> (metric name, HELP)
LEGACY_COUNTERS: dict[str, tuple[str, str]] = {
    "port_multicast_rcv_packets": ("legacy_multicast_packets_received_total",
                                   "Number of multicast packets received"),
    "port_multicast_xmit_packets": ("legacy_multicast_packets_transmitted_total",
                                    "Number of multicast packets transmitted"),
    "port_rcv_data_64": ("legacy_data_received_bytes_total", "Number of data octets received on all links"),
    "port_rcv_packets_64": ("legacy_packets_received_total", "Number of data packets received on all links"),
    "port_unicast_rcv_packets": ("legacy_unicast_packets_received_total",
                                 "Number of unicast packets received"),
    "port_unicast_xmit_packets": ("legacy_unicast_packets_transmitted_total",
                                  "Number of unicast packets transmitted"),
    "port_xmit_data_64": ("legacy_data_transmitted_bytes_total",
                          "Number of data octets transmitted on all links"),
    # node_exporter's HELP says "received" here too.
    "port_xmit_packets_64": ("legacy_packets_transmitted_total",
                             "Number of data packets received on all links"),
}


DEVICE_INCLUDE = RegexFlag("collector.infiniband.device-include",
                           "Regexp of infiniband devices to include (mutually exclusive to device-exclude).")
DEVICE_EXCLUDE = RegexFlag("collector.infiniband.device-exclude",
                           "Regexp of infiniband devices to exclude (mutually exclusive to device-include).")


@register
class InfiniBandCollector(Collector):
    name = "infiniband"
    flags = (DEVICE_INCLUDE, DEVICE_EXCLUDE)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.device_filter = DeviceFilter.exclusive(
            settings[DEVICE_EXCLUDE],
            settings[DEVICE_INCLUDE],
            "collector.infiniband.device",
        )
        sub = f"{NAMESPACE}_infiniband"
        self.info = gauge(f"{sub}_info",
                          "Non-numeric data from /sys/class/infiniband/<device>, value is always 1.",
                          "device", "board_id", "firmware_version", "hca_type")
        self.state = gauge(
            f"{sub}_state_id",
            "State of the InfiniBand port "
            "(0: no change, 1: down, 2: init, 3: armed, 4: active, 5: act defer)",
            "device", "port")
        self.phys_state = gauge(
            f"{sub}_physical_state_id",
            "Physical state of the InfiniBand port (0: no change, 1: sleep, 2: polling, 3: disable, "
            "4: shift, 5: link up, 6: link error recover, 7: phytest)",
            "device", "port")
        self.rate = gauge(f"{sub}_rate_bytes_per_second", "Maximum signal transfer rate", "device", "port")
        self.port_counters = {f: counter(f"{sub}_{m}", h, "device", "port")
                              for f, (m, h) in PORT_COUNTERS.items()}
        self.legacy_counters = {f: counter(f"{sub}_{m}", h, "device", "port")
                                for f, (m, h) in LEGACY_COUNTERS.items()}

    def collect(self) -> Iterator[MetricFamily]:
        class_dir = self.roots.sys("class", "infiniband")
        if not fs.is_dir(class_dir):
            raise NoDataError("no /sys/class/infiniband")
        info, state, phys, rate = (d.family() for d in (self.info, self.state, self.phys_state, self.rate))
        port_fams = {f: d.family() for f, d in self.port_counters.items()}
        legacy_fams = {f: d.family() for f, d in self.legacy_counters.items()}
        failures: list[str] = []
        for device in fs.list_dir(class_dir):
            if self.device_filter.ignored(device):
                continue
            path = fs.resolve_dir(os.path.join(class_dir, device))
            if path is None:
                # A loop of links is broken input (node_exporter fails on it): reported, not hidden.
                loop = fs.link_loop_error(os.path.join(class_dir, device))
                if loop is not None:
                    failures.append(loop)
                log.debug("infiniband: %s is not a device directory", device)
                continue
            info.add(1, device, *(valid_utf8(read_value(os.path.join(path, attr), None) or "")
                                  for attr in ("board_id", "fw_ver", "hca_type")))
            ports_dir = os.path.join(path, "ports")
            for port in fs.list_dir(ports_dir):
                number = uint_or_none(port)
                if number is None or number > 0xFFFFFFFF:
                    continue
                port_path = os.path.join(ports_dir, port)
                labels = (device, str(number))
                self._port_attribute(port_path, "state", parse_port_state, state, labels)
                self._port_attribute(port_path, "phys_state", parse_port_state, phys, labels)
                self._port_attribute(port_path, "rate", parse_rate, rate, labels)
                # Intel irdma and NVIDIA nvs_ devices have no PMA counters directory.
                if device.startswith(("irdma", "nvs_")):
                    continue
                self._counters(os.path.join(port_path, "counters"), port_fams, labels)
                self._counters(os.path.join(port_path, "counters_ext"), legacy_fams, labels)
        yield from (info, state, phys, rate, *port_fams.values(), *legacy_fams.values())
        raise_if_parts_failed(failures)

    @staticmethod
    def _port_attribute(port_path: str, attribute: str, parse: Callable[[str], int], fam: MetricFamily,
                        labels: tuple[str, str]) -> None:
        raw = fs.read_sysfs_attr(os.path.join(port_path, attribute))
        if raw is None:
            return
        try:
            fam.add(parse(raw), *labels)
        except ParseError as exc:
            log.debug("infiniband: %s/%s: %s", port_path, attribute, exc)

    @staticmethod
    def _counters(directory: str, families: dict[str, MetricFamily], labels: tuple[str, str]) -> None:
        for entry in fs.scan_dir(directory):
            fam = families.get(entry.name)
            if fam is None or not entry.is_file(follow_symlinks=False):
                continue
            raw = fs.read_sysfs_attr(os.path.join(directory, entry.name))
            value = None if raw is None else parse_counter(raw)
            if value is None:
                continue
            if entry.name in _WORD_COUNTERS:
                value = (value * 4) & _MASK64
            fam.add(value, *labels)
