"""/sys/class/nvme/<controller>/<namespace>: a namespace's usage, size and block size."""

from __future__ import annotations

from dataclasses import dataclass

from pyexporter.golang.strconv import wrap_uint64
from pyexporter.sysfs.attrs import uint_or_none


@dataclass(frozen=True, slots=True)
class Namespace:
    nsid: str
    ana_state: str
    used_blocks: int
    size_blocks: int
    logical_block_size: int

    @property
    def used_bytes(self) -> int:
        # procfs multiplies uint64s: Go wraps around instead of growing.
        return wrap_uint64(self.used_blocks * self.logical_block_size)

    @property
    def size_bytes(self) -> int:
        return wrap_uint64(self.size_blocks * self.logical_block_size)


def parse_namespace(nsid: str, values: dict[str, str]) -> Namespace:
    """Numbers that are no number count as 0, as in procfs; ana_state defaults to "unknown"."""
    def number(attr: str) -> int:
        return uint_or_none(values.get(attr)) or 0

    return Namespace(nsid, values.get("ana_state", "unknown"), number("nuse"), number("size"),
                     number("queue/logical_block_size"))
