"""syscall.Errno's texts (pyexporter.golang.errno)."""

import errno

from pyexporter.golang.errno import go_errno_text


def test_go_errno_text():
    assert go_errno_text(PermissionError(errno.EACCES, "Permission denied")) == "permission denied"
    assert go_errno_text(OSError(errno.EIO, "x")) == "input/output error"
    assert go_errno_text(OSError(errno.ESTALE, "x")) == "stale NFS file handle"
    assert go_errno_text(OSError(4095, "x")) == "errno 4095"
