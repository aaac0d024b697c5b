"""Exec a command the way systemd starts a socket-activated service (sd_listen_fds(3)).

    python tests/sd_listen_exec.py FD NAME self|other COMMAND...

The descriptor FD (inherited from the caller) is moved to 3, SD_LISTEN_FDS_START; LISTEN_FDS=1,
LISTEN_FDNAMES=NAME, and LISTEN_PID this process's pid, which the exec keeps for COMMAND ("other":
a pid that is not COMMAND's, as when the variables were meant for another process).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> None:
    fd, name, pid_of, command = int(argv[0]), argv[1], argv[2], argv[3:]
    if fd != 3:
        os.dup2(fd, 3)
        os.close(fd)
    os.set_inheritable(3, True)
    os.environ["LISTEN_FDS"] = "1"
    os.environ["LISTEN_FDNAMES"] = name
    os.environ["LISTEN_PID"] = str(os.getpid() if pid_of == "self" else os.getppid())
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
