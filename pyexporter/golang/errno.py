"""syscall.Errno's texts, as node_exporter prints an error it got from the kernel.

Go's texts are glibc's strerror lower-cased, apart from a few of its own.
"""

from __future__ import annotations

import errno
import os

__all__ = ["go_errno_text"]

#: Go's syscall error strings where they differ from glibc's strerror (lower-cased).
_GO_ERRNO_TEXT = {errno.ESTALE: "stale NFS file handle"}


def go_errno_text(exc: OSError) -> str:
    """The text Go's syscall.Errno gives for an OSError: what node_exporter puts in device_error."""
    code = exc.errno
    if code is None:
        return str(exc)
    if code in _GO_ERRNO_TEXT:
        return _GO_ERRNO_TEXT[code]
    text = os.strerror(code)
    if text.startswith("Unknown error"):
        return f"errno {code}"
    return text[:1].lower() + text[1:]
