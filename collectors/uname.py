"""uname: node_uname_info, labelled with the fields of the uname system call."""

from __future__ import annotations

import ctypes
import logging
import os
from collections.abc import Iterator

from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)

#: struct utsname's field size on Linux (_UTSNAME_LENGTH).
UTSNAME_LENGTH = 65


class _Libc:
    """getdomainname(2) from the C library: os.uname() leaves out the NIS domain name."""

    def __init__(self) -> None:
        try:
            self._getdomainname = ctypes.CDLL(None, use_errno=True).getdomainname
        except (OSError, AttributeError):
            self._getdomainname = None

    def domainname(self) -> str:
        if self._getdomainname is None:
            raise OSError("getdomainname is not available in this C library")
        buf = ctypes.create_string_buffer(UTSNAME_LENGTH)
        if self._getdomainname(buf, UTSNAME_LENGTH) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, os.strerror(errno))
        return buf.value.decode("utf-8", "replace")


@register
class UnameCollector(Collector):
    name = "uname"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.info = gauge(f"{NAMESPACE}_uname_info",
                          "Labeled system information as provided by the uname system call.",
                          "sysname", "release", "version", "machine", "nodename", "domainname")
        self.libc = _Libc()

    def collect(self) -> Iterator[MetricFamily]:
        uts = os.uname()
        yield self.info.one(1.0, uts.sysname, uts.release, uts.version, uts.machine, uts.nodename,
                            self.libc.domainname())
