"""nvmesubsystem: NVMe (over Fabrics) subsystems and the state of their controller paths.

From /sys/class/nvme-subsystem/nvme-subsys*/ and its nvme<N> controller
entries, as prometheus/procfs reads them. Every attribute is required: one
that cannot be read makes the whole collection report no data, as in
node_exporter.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

from pyexporter import fs
from pyexporter.errors import NoDataError, raise_if_parts_failed
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.sysfs.attrs import read_value, valid_utf8

CONTROLLER_NAME = re.compile(r"nvme[0-9]+")
#: The states node_exporter exports a series for.
CONTROLLER_STATES = ("live", "connecting", "resetting", "dead", "unknown")
#: Kernel states node_exporter keeps as they are: they match none of CONTROLLER_STATES,
#: so such a controller has all its state series at 0.
_KEPT_STATES = frozenset({"live", "connecting", "resetting", "dead", "deleting", "deleting (no IO)", "new"})


@dataclass(frozen=True, slots=True)
class NvmeController:
    name: str
    state: str
    transport: str
    address: str


@dataclass(frozen=True, slots=True)
class NvmeSubsystem:
    name: str
    nqn: str
    model: str
    serial: str
    iopolicy: str
    controllers: tuple[NvmeController, ...]


def normalize_state(raw: str) -> str:
    return raw if raw in _KEPT_STATES else "unknown"


def _required(path: str) -> str:
    value = read_value(path)
    if value is None:
        raise NoDataError(f"cannot read {path}")
    return valid_utf8(value)


def read_nvme_subsystems(class_dir: str) -> tuple[list[NvmeSubsystem], list[str]]:
    """Every nvme-subsys* entry of /sys/class/nvme-subsystem, and the entries that are loops of links
    (broken input, reported as failures); NoDataError when the class is absent."""
    if not fs.is_dir(class_dir):
        raise NoDataError(f"{class_dir} does not exist")
    subsystems = []
    loops = []
    for name in fs.list_dir(class_dir):
        if not name.startswith("nvme-subsys"):
            continue
        path = os.path.join(class_dir, name)
        loop = fs.link_loop_error(path)
        if loop is not None:
            loops.append(loop)
            continue
        nqn, model, serial, iopolicy = (_required(os.path.join(path, attr))
                                        for attr in ("subsysnqn", "model", "serial", "iopolicy"))
        controllers = tuple(
            NvmeController(entry, *(_required(os.path.join(path, entry, attr))
                                    for attr in ("state", "transport", "address")))
            for entry in fs.list_dir(path) if CONTROLLER_NAME.fullmatch(entry))
        subsystems.append(NvmeSubsystem(name, nqn, model, serial, iopolicy, controllers))
    return subsystems, loops


@register
class NvmeSubsystemCollector(Collector):
    name = "nvmesubsystem"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        sub = f"{NAMESPACE}_nvmesubsystem"
        self.info = gauge(f"{sub}_info", "Non-numeric information about an NVMe subsystem.",
                          "subsystem", "nqn", "model", "serial", "iopolicy")
        self.paths = gauge(f"{sub}_paths", "Number of controller paths for an NVMe subsystem.", "subsystem")
        self.paths_live = gauge(f"{sub}_paths_live",
                                "Number of controller paths in live state for an NVMe subsystem.",
                                "subsystem")
        self.path_state = gauge(
            f"{sub}_path_state",
            "Current NVMe controller path state (1 for the current state, 0 for all others).",
            "subsystem", "controller", "transport", "state")

    def collect(self) -> Iterator[MetricFamily]:
        subsystems, failures = read_nvme_subsystems(self.roots.sys("class", "nvme-subsystem"))
        info, paths, live = self.info.family(), self.paths.family(), self.paths_live.family()
        states = self.path_state.family()
        for subsys in subsystems:
            info.add(1, subsys.name, subsys.nqn, subsys.model, subsys.serial, subsys.iopolicy)
            live_count = 0
            for ctrl in subsys.controllers:
                state = normalize_state(ctrl.state)
                live_count += state == "live"
                for candidate in CONTROLLER_STATES:
                    states.add(1 if candidate == state else 0,
                               subsys.name, ctrl.name, ctrl.transport, candidate)
            paths.add(len(subsys.controllers), subsys.name)
            live.add(live_count, subsys.name)
        yield from (info, paths, live, states)
        raise_if_parts_failed(failures)
