"""systemd socket activation (`--web.systemd-socket`): the listening sockets systemd passes in.

As sd_listen_fds(3) and go-systemd's activation.Files (what exporter-toolkit's flag uses) read
them: LISTEN_PID must be this process's pid (otherwise the variables were meant for another
process and are ignored), LISTEN_FDS is how many descriptors were passed, from 3 (SD_LISTEN_FDS_START)
on, and LISTEN_FDNAMES their colon-separated names (a socket unit's FileDescriptorName=). The three
variables are removed once read, and the descriptors made close-on-exec, so that no child process
takes them for its own.
"""

from __future__ import annotations

import os
import socket
from collections.abc import MutableMapping

from pyexporter.errors import ConfigError

SD_LISTEN_FDS_START = 3
_VARIABLES = ("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES")


def _decimal(text: str | None) -> int | None:
    if text is None or not text.isascii() or not text.isdigit() or len(text) > 9:
        return None
    return int(text)


def listen_fds(environ: MutableMapping[str, str] | None = None,
               pid: int | None = None) -> list[tuple[int, str]]:
    """The (descriptor, name) pairs passed to this process; [] when none were. Names default to
    LISTEN_FD_<n>, as go-systemd names them. Removes the variables from `environ`."""
    env = os.environ if environ is None else environ
    try:
        if _decimal(env.get("LISTEN_PID")) != (os.getpid() if pid is None else pid):
            return []
        count = _decimal(env.get("LISTEN_FDS"))
        if not count:
            return []
        names = env.get("LISTEN_FDNAMES", "").split(":")
        fds = []
        for offset in range(count):
            fd = SD_LISTEN_FDS_START + offset
            name = names[offset] if offset < len(names) and names[offset] else f"LISTEN_FD_{fd}"
            fds.append((fd, name))
        return fds
    finally:
        for variable in _VARIABLES:
            env.pop(variable, None)


def listening_sockets(environ: MutableMapping[str, str] | None = None,
                      pid: int | None = None) -> list[tuple[socket.socket, str]]:
    """The passed descriptors as listening stream sockets, with their names. Raises ConfigError when
    none were passed, or one is not a listening stream socket (TCP or Unix)."""
    fds = listen_fds(environ, pid)
    if not fds:
        raise ConfigError("--web.systemd-socket: no socket activation file descriptors found "
                          "(LISTEN_PID and LISTEN_FDS are not set for this process)")
    sockets = []
    for fd, name in fds:
        try:
            os.set_inheritable(fd, False)
            sock = socket.socket(fileno=fd)
        except OSError as exc:
            raise ConfigError(f"--web.systemd-socket: descriptor {fd} ({name}) is not a socket: "
                              f"{exc.strerror or exc}") from None
        listening = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
        if sock.type != socket.SOCK_STREAM or not listening:
            sock.detach()
            raise ConfigError(f"--web.systemd-socket: descriptor {fd} ({name}) is not a listening stream "
                              "socket (ListenStream= in the socket unit)")
        sockets.append((sock, name))
    return sockets
