"""The `taint` collector: /proc/sys/kernel/tainted as a mask and as one series per bit.

Written against pyexporter's collector API (pyexporter.plugin) only: the file is read through the
file layer below the configured --path.procfs, parsed by a pure function that raises only
ParseError, and named as metrics here.
"""

from __future__ import annotations

from collections.abc import Iterator

from pyexporter.plugin import (
    NAMESPACE,
    BoolFlag,
    Collector,
    MetricFamily,
    NoDataError,
    ParseError,
    Settings,
    gauge,
    read_optional_text,
    register,
)

ALL_BITS = BoolFlag("collector.taint.all-bits",
                    "Expose every taint bit the kernel documents, 0 when clear, not only those set.")

#: The kernel's letter for each taint bit (Documentation/admin-guide/tainted-kernels.rst).
FLAGS = "PFSRMBUDAWCIOELKXTN"


def parse_tainted(text: str) -> int:
    """The taint mask from the text of /proc/sys/kernel/tainted: one unsigned decimal."""
    value = text.strip()
    if not value.isascii() or not value.isdigit():
        raise ParseError(f"tainted: not an unsigned decimal: {text[:40]!r}")
    return int(value)


def set_bits(mask: int) -> list[int]:
    """The numbers of the bits set in the mask, lowest first."""
    return [bit for bit in range(mask.bit_length()) if mask >> bit & 1]


@register
class TaintCollector(Collector):
    name = "taint"
    # The collector API this is written for: a number, not pyexporter.plugin.API_VERSION (which is
    # the version of the pyexporter that runs it, whatever this was written for).
    api_version = 1
    # Off unless --collector.taint: a plugin's collector is off unless it says otherwise, and
    # saying so here only documents it.
    default_enabled = False
    flags = (ALL_BITS,)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.all_bits = settings[ALL_BITS]
        self.path = self.roots.proc("sys", "kernel", "tainted")
        self.mask = gauge(f"{NAMESPACE}_taint_mask", "The kernel's taint mask (/proc/sys/kernel/tainted).")
        self.bit = gauge(f"{NAMESPACE}_taint_bit", "Whether the kernel's taint bit is set.", "bit", "flag")

    def collect(self) -> Iterator[MetricFamily]:
        text = read_optional_text(self.path)
        if text is None:
            raise NoDataError(f"{self.path} is absent")
        mask = parse_tainted(text)
        yield self.mask.one(mask)
        bits = self.bit.family()
        shown = sorted(set(set_bits(mask)) | (set(range(len(FLAGS))) if self.all_bits else set()))
        for bit in shown:
            bits.add(mask >> bit & 1, str(bit), FLAGS[bit] if bit < len(FLAGS) else "")
        yield bits
