"""drm: amdgpu cards under /sys/class/drm/card[0-9] (busy percentage, GTT and VRAM usage).

Read as prometheus/procfs reads them: a card whose device/uevent does not name
the amdgpu driver still yields a series set, with zero values and empty labels
(node_exporter 1.12.1 does this for every card[0-9], whatever its driver); an
attribute the card does not expose reads as zero or "".
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from pyexporter import fs
from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_uint
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import read_value, valid_utf8

#: Only "card" and one digit: procfs globs class/drm/card[0-9].
CARD_NAME = re.compile(r"card[0-9]")
AMDGPU_DRIVER = re.compile(r"DRIVER=amdgpu")

#: device/<file> -> (metric name, HELP) of the numeric attributes.
NUMERIC_FIELDS: dict[str, tuple[str, str]] = {
    "gpu_busy_percent": ("gpu_busy_percent", "How busy the GPU is as a percentage."),
    "mem_info_gtt_total": ("memory_gtt_size_bytes",
                           "The size of the graphics translation table (GTT) block in bytes."),
    "mem_info_gtt_used": ("memory_gtt_used_bytes",
                          "The used amount of the graphics translation table (GTT) block in bytes."),
    "mem_info_vram_total": ("memory_vram_size_bytes", "The size of VRAM in bytes."),
    "mem_info_vram_used": ("memory_vram_used_bytes", "The used amount of VRAM in bytes."),
    "mem_info_vis_vram_total": ("memory_vis_vram_size_bytes", "The size of visible VRAM in bytes."),
    "mem_info_vis_vram_used": ("memory_vis_vram_used_bytes", "The used amount of visible VRAM in bytes."),
}
#: device/<file> values that label node_drm_card_info, in label order after "card".
INFO_FIELDS = ("mem_info_vram_vendor", "power_dpm_force_performance_level", "unique_id")


def read_amdgpu_card(device_dir: str) -> tuple[dict[str, int], tuple[str, ...]]:
    """The numeric attributes and info labels of one card's device directory."""
    uevent = read_value(os.path.join(device_dir, "uevent"))
    if uevent is None:
        raise ParseError(f"{device_dir}/uevent cannot be read")
    numbers = dict.fromkeys(NUMERIC_FIELDS, 0)
    if not AMDGPU_DRIVER.search(uevent):
        return numbers, ("", "", "")
    for name in NUMERIC_FIELDS:
        value = read_value(os.path.join(device_dir, name))
        if value is not None:
            numbers[name] = parse_uint(value, 0)
    labels = tuple(valid_utf8(read_value(os.path.join(device_dir, name)) or "") for name in INFO_FIELDS)
    return numbers, labels


@register
class DrmCollector(Collector):
    name = "drm"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        sub = f"{NAMESPACE}_drm"
        self.card_info = gauge(f"{sub}_card_info", "Card information", "card", "memory_vendor",
                               "power_performance_level", "unique_id", "vendor")
        self.numeric = {name: gauge(f"{sub}_{metric}", help_text, "card")
                        for name, (metric, help_text) in NUMERIC_FIELDS.items()}

    def collect(self) -> Iterator[MetricFamily]:
        class_dir = self.roots.sys("class", "drm")
        info = self.card_info.family()
        families = {name: desc.family() for name, desc in self.numeric.items()}
        for card in fs.list_dir(class_dir):
            if not CARD_NAME.fullmatch(card):
                continue
            numbers, labels = read_amdgpu_card(os.path.join(class_dir, card, "device"))
            info.add(1, card, *labels, "amd")
            for name, value in numbers.items():
                families[name].add(value, card)
        yield from (info, *families.values())
