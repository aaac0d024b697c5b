"""cpufreq: CPU frequency scaling from /sys/devices/system/cpu/cpu*/cpufreq.

node_exporter's cpu collector also writes node_cpu_frequency_hertz{package,core,cpu}
from /proc/cpuinfo, but only while cpufreq is enabled too. pyexporter's cpu
collector leaves that series out and this collector writes it, under the
same condition: the cpu collector enabled with --collector.cpu.info (or one
of its include flags, which switch it on).
"""

from __future__ import annotations

import logging
import os
import platform
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from pyexporter.collectors._cpuinfo_flags import info_enabled
from pyexporter.errors import NoDataError, ParseError, raise_if_parts_failed
from pyexporter.fs import list_dir, read_text, resolve_dir
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.procfs.cpuinfo import cpuinfo_format, parse_cpuinfo
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import read_optional_uint, read_value, valid_utf8
from pyexporter.sysfs.cpu import parse_cpu_list

log = logging.getLogger(__name__)

#: filepath.Glob("cpu[0-9]*")
_CPU_DIR = re.compile(r"cpu[0-9]", re.DOTALL)
#: kHz attributes -> the frequency fields node_exporter exports.
FREQ_ATTRS = ("cpuinfo_cur_freq", "cpuinfo_min_freq", "cpuinfo_max_freq",
              "scaling_cur_freq", "scaling_min_freq", "scaling_max_freq")
#: Number files procfs parses as well, though node_exporter exposes no metric of them: one that is
#: there but not a number fails the collector all the same.
CHECKED_ATTRS = ("cpuinfo_transition_latency",)


@dataclass(frozen=True, slots=True)
class CpuFreq:
    cpu: str
    khz: dict[str, int] = field(default_factory=dict)
    governor: str = ""
    available_governors: str = ""


def governor_states(governor: str, available: str) -> list[tuple[str, float]]:
    """One (governor, 0/1) per available governor; nothing when no governor is set."""
    if not governor:
        return []
    return [(g, 1.0 if g == governor else 0.0) for g in available.split(" ")]


@register
class CpuFreqCollector(Collector):
    name = "cpufreq"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        p = f"{NAMESPACE}_cpu_"
        self.cpuinfo_frequency = "cpu" in settings.enabled_collectors and info_enabled(settings)
        self.cpuinfo_format = cpuinfo_format(platform.machine())
        self.cpuinfo_hertz = gauge(p + "frequency_hertz", "CPU frequency in hertz from /proc/cpuinfo.",
                                   "package", "core", "cpu")
        # sysfs gives kHz; the metrics are in Hz.
        self.freqs = (
            ("cpuinfo_cur_freq", gauge(p + "frequency_hertz", "Current cpu thread frequency in hertz.",
                                       "cpu")),
            ("cpuinfo_min_freq", gauge(p + "frequency_min_hertz", "Minimum cpu thread frequency in hertz.",
                                       "cpu")),
            ("cpuinfo_max_freq", gauge(p + "frequency_max_hertz", "Maximum cpu thread frequency in hertz.",
                                       "cpu")),
            ("scaling_cur_freq", gauge(p + "scaling_frequency_hertz",
                                       "Current scaled CPU thread frequency in hertz.", "cpu")),
            ("scaling_min_freq", gauge(p + "scaling_frequency_min_hertz",
                                       "Minimum scaled CPU thread frequency in hertz.", "cpu")),
            ("scaling_max_freq", gauge(p + "scaling_frequency_max_hertz",
                                       "Maximum scaled CPU thread frequency in hertz.", "cpu")),
        )
        self.governor = gauge(p + "scaling_governor", "Current enabled CPU frequency governor.",
                              "cpu", "governor")

    def offline(self, cpu_dir: str) -> set[int]:
        text = read_value(os.path.join(cpu_dir, "offline"), None)
        if not text:
            return set()
        try:
            return set(parse_cpu_list(text))
        except ParseError as exc:
            log.debug("cpufreq: ignoring unparsable offline list: %s", exc)
            return set()

    def read_cpu(self, cpu: str, path: str) -> CpuFreq:
        """One CPU's frequencies; ParseError for a value that is there but not a number."""
        khz = {}
        for attr in (*FREQ_ATTRS, *CHECKED_ATTRS):
            # procfs skips a frequency file that is absent or refused, and fails on one it
            # cannot parse.
            value = read_optional_uint(os.path.join(path, attr))
            if value is not None and attr in FREQ_ATTRS:
                khz[attr] = value
        return CpuFreq(cpu, khz, read_value(os.path.join(path, "scaling_governor")) or "",
                       read_value(os.path.join(path, "scaling_available_governors")) or "")

    def collect_cpuinfo(self) -> list[MetricFamily]:
        try:
            cpus = parse_cpuinfo(read_text(self.roots.proc("cpuinfo")), self.cpuinfo_format)
        except (OSError, ParseError) as exc:
            # The cpu collector reads the same file and reports the failure.
            log.debug("cpufreq: no frequencies from /proc/cpuinfo: %s", exc)
            return []
        family = self.cpuinfo_hertz.family()
        for cpu in cpus:
            family.add(cpu.cpu_mhz * 1e6, valid_utf8(cpu.physical_id), valid_utf8(cpu.core_id),
                       str(cpu.processor))
        return [family]

    def collect(self) -> Iterator[MetricFamily]:
        if self.cpuinfo_frequency:
            yield from self.collect_cpuinfo()
        cpu_dir = self.roots.sys("devices", "system", "cpu")
        cpus = [name for name in list_dir(cpu_dir) if _CPU_DIR.match(name)]
        if not cpus:
            if self.cpuinfo_frequency:
                return
            raise NoDataError(f"no CPUs in {cpu_dir}")
        offline = self.offline(cpu_dir)
        families = [(attr, desc.family()) for attr, desc in self.freqs]
        governors = self.governor.family()
        # node_exporter fails the collector on one unparseable frequency and serves none; the other
        # CPUs are served here, with success 0 all the same.
        failures: list[str] = []
        for name in cpus:
            number = name.removeprefix("cpu")
            if offline and number.isdigit() and int(number) in offline:
                continue
            # cpuN/cpufreq is a link to ../cpufreq/policyN on current kernels.
            path = resolve_dir(os.path.join(cpu_dir, name, "cpufreq"))
            if path is None:
                continue
            try:
                freq = self.read_cpu(number, path)
            except ParseError as exc:
                failures.append(str(exc))
                continue
            label = valid_utf8(freq.cpu)
            for attr, family in families:
                if attr in freq.khz:
                    family.add(float(freq.khz[attr]) * 1000.0, label)
            for governor, state in governor_states(freq.governor, freq.available_governors):
                governors.add(state, label, valid_utf8(governor))
        yield from (family for _, family in families)
        yield governors
        raise_if_parts_failed(failures)
