"""The file layer: every read of /proc, /sys, the root filesystem and udev data.

Paths are joined onto the configured roots (`--path.procfs` and friends), so a
collector never names `/proc` or `/sys` itself. Reads are bounded in size and
refuse anything that is not a regular file: a FIFO or a device in place of a
/proc file would otherwise block a worker thread forever.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass

from pyexporter.errors import ParseError

#: Upper bound for one /proc or /sys file. The largest real ones (mountinfo on a
#: node with thousands of mounts, /proc/net/dev with thousands of interfaces)
#: stay well below this; a 50 MB line is garbage, not data.
MAX_FILE_BYTES = 16 * 1024 * 1024
#: sysfs attributes are at most one page; reading one more byte tells truncation.
SYSFS_ATTR_BYTES = 4096 * 4

#: First read of a file: most /proc files fit, and a buffer this size comes
#: from the heap (bigger ones are mapped and unmapped by malloc on every read).
_FIRST_CHUNK = 64 * 1024
_CHUNK = 256 * 1024
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0)

#: errnos that mean "this optional file is not there" rather than "broken".
_ABSENT = frozenset({errno.ENOENT, errno.ENOTDIR})
#: errnos with which real sysfs attributes refuse a read (a driver without the
#: feature, a link that is down); node_exporter skips such attributes.
_SYSFS_UNREADABLE = frozenset(
    {errno.EINVAL, errno.EIO, errno.ENODEV, errno.EOPNOTSUPP, errno.EAGAIN, errno.EBUSY,
     errno.ENXIO, errno.EPERM, errno.EACCES, errno.ENODATA}
)


@dataclass(frozen=True, slots=True)
class Roots:
    """The configured roots; every path a collector reads starts at one of them."""

    procfs: str = "/proc"
    sysfs: str = "/sys"
    rootfs: str = "/"
    udev_data: str = "/run/udev/data"

    def proc(self, *parts: str) -> str:
        return os.path.join(self.procfs, *parts)

    def sys(self, *parts: str) -> str:
        return os.path.join(self.sysfs, *parts)

    def root(self, *parts: str) -> str:
        return os.path.join(self.rootfs, *(p.lstrip("/") for p in parts))

    def udev(self, *parts: str) -> str:
        return os.path.join(self.udev_data, *parts)

    def strip_rootfs(self, path: str) -> str:
        """A host path as the host sees it: `/host/root/var` -> `/var`."""
        root = self.rootfs.rstrip("/")
        if not root:
            return path
        if path == root:
            return "/"
        if path.startswith(root + "/"):
            return path[len(root):]
        return path


def _open_regular(path: str) -> int:
    fd = os.open(path, _OPEN_FLAGS)
    try:
        mode = os.fstat(fd).st_mode
    except BaseException:
        os.close(fd)
        raise
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "directory" if stat.S_ISDIR(mode) else "special file"
        raise ParseError(f"{path}: is a {kind}, not a regular file")
    return fd


def read_file(path: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The whole content of a regular file, at most `limit` bytes.

    Raises OSError (FileNotFoundError when absent) or ParseError when the file
    is larger than `limit` or not a regular file.
    """
    fd = _open_regular(path)
    try:
        chunks: list[bytes] = []
        total = 0
        size = _FIRST_CHUNK
        while True:
            chunk = os.read(fd, size)
            if not chunk:
                break
            # A full buffer means a big file; otherwise the next read is most likely the end.
            size = _CHUNK if len(chunk) == size else _FIRST_CHUNK
            total += len(chunk)
            if total > limit:
                raise ParseError(f"{path}: larger than {limit} bytes")
            chunks.append(chunk)
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def read_text(path: str, limit: int = MAX_FILE_BYTES) -> str:
    """`read_file` decoded as UTF-8; undecodable bytes become U+FFFD."""
    return read_file(path, limit).decode("utf-8", "replace")


def read_optional(path: str) -> bytes | None:
    """Like `read_file`, but None when the file (or a parent directory) is absent."""
    try:
        return read_file(path)
    except OSError as exc:
        if exc.errno in _ABSENT:
            return None
        raise


def read_optional_text(path: str) -> str | None:
    data = read_optional(path)
    return None if data is None else data.decode("utf-8", "replace")


def read_sysfs_bytes(path: str) -> bytes | None:
    """One sysfs attribute's raw bytes, read with a single read() as the kernel expects.

    None when the attribute is absent, is not a regular file (a directory in
    its place), or refuses to be read (EINVAL, EIO, ENODEV, ... as real
    drivers do). Collectors that must reproduce Go's string handling exactly
    (TrimSpace, ToValidUTF8) start from these bytes.
    """
    try:
        fd = _open_regular(path)
    except ParseError:
        return None
    except OSError as exc:
        if exc.errno in _ABSENT or exc.errno in _SYSFS_UNREADABLE or exc.errno == errno.ELOOP:
            return None
        raise
    try:
        return os.read(fd, SYSFS_ATTR_BYTES)
    except OSError as exc:
        if exc.errno in _SYSFS_UNREADABLE:
            return None
        raise
    finally:
        os.close(fd)


def read_sysfs_attr(path: str) -> str | None:
    """One sysfs attribute, read with a single read() as the kernel expects.

    Returns the value without its trailing newline, or None when the attribute
    is absent or refuses to be read (EINVAL, EIO, ENODEV, ... as real drivers do).
    """
    data = read_sysfs_bytes(path)
    if data is None:
        return None
    return data.decode("utf-8", "replace").rstrip("\n")


def list_dir(path: str) -> list[str]:
    """Sorted entry names of a directory; [] when it does not exist."""
    try:
        return sorted(os.listdir(path))
    except OSError as exc:
        if exc.errno in _ABSENT:
            return []
        raise


def count_open_fds(fd_dir: str) -> int:
    """How many descriptors a /proc/<pid>/fd folder holds, counted as procfs counts them.

    Linux 6.2+ gives the count as the folder's size, without listing it (and without the descriptor a
    listing holds open); older kernels say 0, and the folder is listed.
    """
    size = os.stat(fd_dir).st_size
    return size if size > 0 else len(os.listdir(fd_dir))


def scan_dir(path: str) -> Iterator[os.DirEntry[str]]:
    """Directory entries sorted by name; nothing when the directory does not exist."""
    try:
        with os.scandir(path) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        if exc.errno in _ABSENT:
            return iter(())
        raise
    return iter(entries)


def exists(path: str) -> bool:
    return os.path.exists(path)


def is_dir(path: str) -> bool:
    return os.path.isdir(path)


def resolve_link(path: str) -> str | None:
    """The target of a symlink resolved relative to its directory, or None if absent or not a link.

    /sys/class entries are relative links into /sys/devices; resolving them
    relative to the link keeps them inside the configured sysfs root.
    """
    target = read_link(path)
    if target is None:
        return None
    return os.path.normpath(os.path.join(os.path.dirname(path), target))


def read_link(path: str) -> str | None:
    """The target of a symlink, as readlink() gives it; None when `path` is absent or not a link."""
    try:
        return os.readlink(path)
    except OSError:
        return None


#: Bound on links followed while resolving one path (the kernel's is 40).
_MAX_LINKS = 40


def real_path(path: str) -> str | None:
    """`path` with every link in it followed, like Go's filepath.EvalSymlinks; None if any part is missing.

    Unlike os.path.realpath it reports a missing component (or a link loop)
    instead of guessing.
    """
    pending = os.path.abspath(path).split("/")[::-1]
    resolved = "/"
    hops = 0
    while pending:
        part = pending.pop()
        if part in ("", "."):
            continue
        if part == "..":
            resolved = os.path.dirname(resolved)
            continue
        candidate = os.path.join(resolved, part)
        target = read_link(candidate)
        if target is None:
            if not os.path.lexists(candidate):
                return None
            resolved = candidate
            continue
        hops += 1
        if hops > _MAX_LINKS:
            return None
        if target.startswith("/"):
            resolved = "/"
        pending.extend(target.split("/")[::-1])
    return resolved


def resolve_dir(path: str) -> str | None:
    """A directory entry (as in /sys/class/<class>/) as a directory to read from, or None.

    A directory or a link to one resolves to a usable path; a broken link, a
    link loop, a regular file or anything else is None.
    """
    return path if os.path.isdir(path) else None


def link_loop_error(path: str) -> str | None:
    """Go's error text when resolving `path` runs into a loop of symbolic links (ELOOP), else None.

    A /sys/class entry that is a broken link can be a device going away; one that
    loops is broken input. Collectors that walk a class go on past it, but report
    it, so success 0 never hides it (node_exporter fails the collector on it).
    """
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"stat {path}: too many levels of symbolic links"
    return None


_DIR_FLAGS = os.O_DIRECTORY | os.O_CLOEXEC | getattr(os, "O_PATH", os.O_RDONLY)


class AttrDir:
    """A directory opened once, its attributes read relative to it.

    A sysfs device directory is a dozen path components reached through
    links; resolving them once instead of for every attribute halves the cost
    of reading a device's attributes. The descriptor is an O_PATH one: it needs
    no read permission on the directory, only what a stat would need.
    """

    __slots__ = ("fd", "path")

    def __init__(self, fd: int, path: str) -> None:
        self.fd = fd
        self.path = path

    def read_bytes(self, name: str) -> bytes | None:
        """`read_sysfs_bytes(os.path.join(self.path, name))`, without the path lookup."""
        try:
            fd = os.open(name, _OPEN_FLAGS, dir_fd=self.fd)
        except OSError as exc:
            if exc.errno in _ABSENT or exc.errno in _SYSFS_UNREADABLE or exc.errno == errno.ELOOP:
                return None
            raise
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            return os.read(fd, SYSFS_ATTR_BYTES)
        except OSError as exc:
            if exc.errno in _SYSFS_UNREADABLE:
                return None
            raise
        finally:
            os.close(fd)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> AttrDir:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_attr_dir(path: str) -> AttrDir | None:
    """The directory `path` names (a link to one followed), opened for reading attributes; None if it is
    not a directory (absent, a broken link, a link loop, a regular file)."""
    try:
        return AttrDir(os.open(path, _DIR_FLAGS), path)
    except OSError:
        return None
