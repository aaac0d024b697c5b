"""mountstats: NFS client statistics per export from /proc/self/mountstats (node_mountstats_nfs_*).

Which process's files are read follows procfs: <procfs>/self names it. The
`mountaddr` label comes from the `addr=` super option of the same entry in
mountinfo (both files list mounts in the same order). Mounts of one export with
the same protocol and server address are reported once; the mount points of
all of them are listed by node_mountstats_nfs_mountpoint_info.
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Iterator

from pyexporter.errors import ParseError
from pyexporter.fs import is_dir, read_text, resolve_link
from pyexporter.golang.strconv import parse_int
from pyexporter.metrics import COUNTER, GAUGE, NAMESPACE, Desc, Families, MetricFamily
from pyexporter.procfs.mountinfo import parse_mountinfo
from pyexporter.procfs.mountstats import NFSStats, parse_mountstats
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

log = logging.getLogger(__name__)

#: node_exporter folds millisecond and idle-time counters into a float64's exact range.
FLOAT64_MANTISSA = 1 << 53

_LABELS = ("export", "protocol", "mountaddr")
_OPERATION_LABELS = (*_LABELS, "operation")
_TRANSPORT_LABELS = (*_LABELS, "transport")

# (NFSBytes field, metric name, HELP)
_BYTES = (
    ("read", "read_bytes_total", "Number of bytes read using the read() syscall."),
    ("write", "write_bytes_total", "Number of bytes written using the write() syscall."),
    ("direct_read", "direct_read_bytes_total",
     "Number of bytes read using the read() syscall in O_DIRECT mode."),
    ("direct_write", "direct_write_bytes_total",
     "Number of bytes written using the write() syscall in O_DIRECT mode."),
    ("read_total", "total_read_bytes_total", "Number of bytes read from the NFS server, in total."),
    ("write_total", "total_write_bytes_total", "Number of bytes written to the NFS server, in total."),
    ("read_pages", "read_pages_total", "Number of pages read directly via mmap()'d files."),
    ("write_pages", "write_pages_total", "Number of pages written directly via mmap()'d files."),
)
# (NFSTransport field, metric name, HELP, type)
_TRANSPORT = (
    ("bind", "transport_bind_total",
     "Number of times the client has had to establish a connection from scratch to the NFS server.", COUNTER),
    ("connect", "transport_connect_total",
     "Number of times the client has made a TCP connection to the NFS server.", COUNTER),
    ("idle_time_seconds", "transport_idle_time_seconds",
     "Duration since the NFS mount last saw any RPC traffic, in seconds.", GAUGE),
    ("sends", "transport_sends_total",
     "Number of RPC requests for this mount sent to the NFS server.", COUNTER),
    ("receives", "transport_receives_total",
     "Number of RPC responses for this mount received from the NFS server.", COUNTER),
    ("bad_transaction_ids", "transport_bad_transaction_ids_total",
     "Number of times the NFS server sent a response with a transaction ID unknown to this client.", COUNTER),
    ("cumulative_backlog", "transport_backlog_queue_total",
     "Total number of items added to the RPC backlog queue.", COUNTER),
    ("maximum_rpc_slots_used", "transport_maximum_rpc_slots",
     "Maximum number of simultaneously active RPC requests ever used.", GAUGE),
    ("cumulative_sending_queue", "transport_sending_queue_total",
     "Total number of items added to the RPC transmission sending queue.", COUNTER),
    ("cumulative_pending_queue", "transport_pending_queue_total",
     "Total number of items added to the RPC transmission pending queue.", COUNTER),
)
# (NFSOperation field, metric name, HELP, milliseconds to seconds)
_OPERATIONS = (
    ("requests", "operations_requests_total", "Number of requests performed for a given operation.", False),
    ("transmissions", "operations_transmissions_total",
     "Number of times an actual RPC request has been transmitted for a given operation.", False),
    ("major_timeouts", "operations_major_timeouts_total",
     "Number of times a request has had a major timeout for a given operation.", False),
    ("bytes_sent", "operations_sent_bytes_total",
     "Number of bytes sent for a given operation, including RPC headers and payload.", False),
    ("bytes_received", "operations_received_bytes_total",
     "Number of bytes received for a given operation, including RPC headers and payload.", False),
    ("queue_milliseconds", "operations_queue_time_seconds_total",
     "Duration all requests spent queued for transmission for a given operation before they were sent, "
     "in seconds.", True),
    ("response_milliseconds", "operations_response_time_seconds_total",
     "Duration all requests took to get a reply back after a request for a given operation was transmitted, "
     "in seconds.", True),
    ("request_milliseconds", "operations_request_time_seconds_total",
     "Duration all requests took from when a request was enqueued to when it was completely handled for a "
     "given operation, in seconds.", True),
)
# (events key, HELP); node_exporter's HELP texts, including its copy-paste ones.
_EVENTS = (
    ("inode_revalidate", "Number of times cached inode attributes are re-validated from the server."),
    ("dnode_revalidate", "Number of times cached dentry nodes are re-validated from the server."),
    ("data_invalidate", "Number of times an inode cache is cleared."),
    ("attribute_invalidate", "Number of times cached inode attributes are invalidated."),
    ("vfs_open", "Number of times cached inode attributes are invalidated."),
    ("vfs_lookup", "Number of times a directory lookup has occurred."),
    ("vfs_access", "Number of times permissions have been checked."),
    ("vfs_update_page", "Number of updates (and potential writes) to pages."),
    ("vfs_read_page", "Number of pages read directly via mmap()'d files."),
    ("vfs_read_pages", "Number of times a group of pages have been read."),
    ("vfs_write_page", "Number of pages written directly via mmap()'d files."),
    ("vfs_write_pages", "Number of times a group of pages have been written."),
    ("vfs_getdents", "Number of times directory entries have been read with getdents()."),
    ("vfs_setattr", "Number of times directory entries have been read with getdents()."),
    ("vfs_flush", "Number of pending writes that have been forcefully flushed to the server."),
    ("vfs_fsync", "Number of times fsync() has been called on directories and files."),
    ("vfs_lock", "Number of times locking has been attempted on a file."),
    ("vfs_file_release", "Number of times files have been closed and released."),
    ("truncation", "Number of times files have been truncated."),
    ("write_extension", "Number of times a file has been grown due to writes beyond its existing end."),
    ("silly_rename", "Number of times a file was removed while still open by another process."),
    ("short_read", "Number of times the NFS server gave less data than expected while reading."),
    ("short_write", "Number of times the NFS server wrote less data than expected while writing."),
    ("jukebox_delay",
     "Number of times the NFS server indicated EJUKEBOX; retrieving data from offline storage."),
    ("pnfs_read", "Number of NFS v4.1+ pNFS reads."),
    ("pnfs_write", "Number of NFS v4.1+ pNFS writes."),
)


@register
class MountstatsCollector(Collector):
    name = "mountstats"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        prefix = f"{NAMESPACE}_mountstats_nfs"
        self.age = Desc(
            f"{prefix}_age_seconds_total", "The age of the NFS mount in seconds.", COUNTER, _LABELS
        )
        self.mountpoint_info = Desc(
            f"{prefix}_mountpoint_info", "Info metric for an NFS mountpoint.", GAUGE, (*_LABELS, "mountpoint")
        )
        self.bytes = tuple(
            (attr, Desc(f"{prefix}_{name}", help_text, COUNTER, _LABELS)) for attr, name, help_text in _BYTES
        )
        self.transport = tuple(
            (attr, Desc(f"{prefix}_{name}", help_text, kind, _TRANSPORT_LABELS))
            for attr, name, help_text, kind in _TRANSPORT
        )
        self.operations = tuple(
            (attr, Desc(f"{prefix}_{name}", help_text, COUNTER, _OPERATION_LABELS), milliseconds)
            for attr, name, help_text, milliseconds in _OPERATIONS
        )
        self.events = tuple(
            (key, Desc(f"{prefix}_event_{key}_total", help_text, COUNTER, _LABELS))
            for key, help_text in _EVENTS
        )

    def _self_dir(self) -> str:
        """<procfs>/<pid> of the process <procfs>/self stands for."""
        self_path = self.roots.proc("self")
        target = resolve_link(self_path)
        if target is None:
            if not os.path.lexists(self_path):
                raise FileNotFoundError(errno.ENOENT, "no such file", self_path)
            # procfs's Self() is a readlink of <procfs>/self: anything else is an error.
            raise ParseError(f"{self_path} is not a link to a process directory")
        name = os.path.basename(target)
        pid_dir = self.roots.proc(str(parse_int(name)))
        if not is_dir(pid_dir):
            raise ParseError(f"{self_path} names {name!r}, which is not a process directory")
        return pid_dir

    def collect(self) -> Iterator[MetricFamily]:
        pid_dir = self._self_dir()
        mounts = parse_mountstats(read_text(os.path.join(pid_dir, "mountstats")))
        infos = parse_mountinfo(read_text(os.path.join(pid_dir, "mountinfo")))
        families = Families()
        seen_devices: set[tuple[str, str, str]] = set()
        seen_mountpoints: set[tuple[str, str, str, str]] = set()
        for index, mount in enumerate(mounts):
            stats = mount.stats
            if stats is None:
                continue
            address = infos[index].super_options.get("addr", "") if index < len(infos) else ""
            protocol = stats.transports[0].protocol if stats.transports else ""
            mountpoint_key = (mount.device, protocol, address, mount.mount_point)
            if mountpoint_key not in seen_mountpoints:
                seen_mountpoints.add(mountpoint_key)
                families.of(self.mountpoint_info).add(1.0, *mountpoint_key)
            device_key = (mount.device, protocol, address)
            if device_key in seen_devices:
                log.debug("skipping duplicate NFS device entry %s", device_key)
                continue
            seen_devices.add(device_key)
            self._add_stats(families, stats, device_key)
        yield from families.values()

    def _add_stats(
        self, families: Families, stats: NFSStats, labels: tuple[str, str, str]
    ) -> None:
        families.of(self.age).add(stats.age_seconds, *labels)
        for attr, desc in self.bytes:
            families.of(desc).add(getattr(stats.bytes, attr), *labels)
        for index, transport in enumerate(stats.transports):
            for attr, desc in self.transport:
                value = getattr(transport, attr)
                if attr == "idle_time_seconds":
                    value %= FLOAT64_MANTISSA
                families.of(desc).add(value, *labels, str(index))
        for operation in stats.operations:
            for attr, desc, milliseconds in self.operations:
                value = getattr(operation, attr)
                if milliseconds:
                    value = (value % FLOAT64_MANTISSA) / 1000.0
                families.of(desc).add(value, *labels, operation.operation)
        for key, desc in self.events:
            families.of(desc).add(stats.events[key], *labels)
