"""The cpu collector's /proc/cpuinfo flags, which the cpufreq collector reads too.

node_exporter's cpufreq collector writes node_cpu_frequency_hertz from /proc/cpuinfo when the cpu
collector's info is on (one package there); here both modules read these declarations. Not a
collector: the loader skips modules whose name starts with "_".
"""

from __future__ import annotations

import re

from pyexporter.flags import BoolFlag, RegexFlag
from pyexporter.settings import Settings

INFO = BoolFlag("collector.cpu.info", "Enables metric cpu_info")
FLAGS_INCLUDE = RegexFlag(
    "collector.cpu.info.flags-include",
    "Filter the `flags` field in cpuInfo with a value that must be a regular expression", "")
BUGS_INCLUDE = RegexFlag(
    "collector.cpu.info.bugs-include",
    "Filter the `bugs` field in cpuInfo with a value that must be a regular expression", "")


def include_pattern(settings: Settings, flag: RegexFlag) -> re.Pattern[str] | None:
    """An include flag's pattern, or None where it is empty (node_exporter compares it with "")."""
    pattern = settings[flag]
    return None if flag.is_empty(pattern) else pattern


def info_enabled(settings: Settings) -> bool:
    """As node_exporter: asking for flags or bugs turns the info metrics on."""
    return bool(settings[INFO] or include_pattern(settings, FLAGS_INCLUDE)
                or include_pattern(settings, BUGS_INCLUDE))
