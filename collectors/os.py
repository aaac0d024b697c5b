"""os: node_os_info, node_os_version and node_os_support_end_timestamp_seconds from os-release.

The file is the first of <rootfs>/etc/os-release and <rootfs>/usr/lib/os-release
that exists, read as node_exporter reads it (hashicorp/go-envparse syntax) and
re-read only when its path or modification time changes.
"""

from __future__ import annotations

import calendar
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from pyexporter.errors import NoDataError, ParseError
from pyexporter.fs import read_file
from pyexporter.golang.strings import GO_SPACE, go_lines
from pyexporter.metrics import NAMESPACE, MetricFamily, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

OS_RELEASE_PATHS = ("/etc/os-release", "/usr/lib/os-release")
_VERSION = re.compile(r"[0-9]+\.?[0-9]*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_KEY_REST = re.compile(r"[A-Za-z0-9_./]*")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "r": "\r", "n": "\n", "t": "\t"}
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
#: os-release is a few hundred bytes; anything past this is not an os-release file.
MAX_OS_RELEASE = 1024 * 1024


def _parse_value(value: str) -> str:
    """An env value: unquoted text up to a # comment, '...' verbatim, "..." with JSON escapes."""
    out: list[str] = []
    last_significant = 0
    mode = "normal"
    i = 0
    while i < len(value):
        ch = value[i]
        i += 1
        if ord(ch) < 32:
            raise ParseError(f"0x{ord(ch):02x} is an invalid value character")
        if ord(ch) > 127:
            if mode == "escape":
                raise ParseError("multibyte characters disallowed in escape sequences")
            out.append(ch)
            last_significant = len(out)
            continue
        if mode == "normal":
            if ch == '"':
                mode = "double"
            elif ch == "'":
                mode = "single"
            elif ch == "#":
                return "".join(out[:last_significant])
            else:
                out.append(ch)
                if ch not in " \t":
                    last_significant = len(out)
        elif mode == "double":
            if ch == '"':
                mode = "normal"
            elif ch == "\\":
                mode = "escape"
            else:
                out.append(ch)
                last_significant = len(out)
        elif mode == "single":
            if ch == "'":
                mode = "normal"
            else:
                out.append(ch)
                last_significant = len(out)
        else:  # escape, inside double quotes
            if ch == "u":
                code, i = _unicode_escape(value, i)
                out.append(code)
            elif ch in _ESCAPES:
                out.append(_ESCAPES[ch])
            else:
                raise ParseError(f"invalid escape sequence: {ch!r}")
            last_significant = len(out)
            mode = "double"
    if mode == "double":
        raise ParseError('unmatched "')
    if mode == "single":
        raise ParseError("unmatched '")
    if mode == "escape":
        raise ParseError("incomplete escape sequence")
    return "".join(out)


def _unicode_escape(value: str, i: int) -> tuple[str, int]:
    """\\uXXXX (and a following \\uXXXX low surrogate) starting at value[i]; returns (char, next index)."""
    if not _HEX4.fullmatch(value[i:i + 4]):
        raise ParseError("incomplete or invalid hex sequence")
    code = int(value[i:i + 4], 16)
    i += 4
    if 0xD800 <= code < 0xE000:
        if value[i:i + 2] != "\\u" or not _HEX4.fullmatch(value[i + 2:i + 6]):
            raise ParseError("incomplete Unicode surrogate pair")
        low = int(value[i + 2:i + 6], 16)
        i += 6
        if code < 0xDC00 and 0xDC00 <= low < 0xE000:
            return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)), i
        return "\ufffd", i
    return chr(code), i


def parse_os_release(text: str) -> dict[str, str]:
    """KEY=value lines as hashicorp/go-envparse reads them; a later key replaces an earlier one."""
    env: dict[str, str] = {}
    for number, raw in enumerate(go_lines(text), 1):
        line = raw.strip(GO_SPACE)
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ParseError(f"error on line {number}: missing =")
        key, value = key.strip(GO_SPACE), value.strip(GO_SPACE)
        if len(key) > len("export ") and key.startswith("export "):
            key = key[len("export "):]
        if not key:
            raise ParseError(f"error on line {number}: empty key")
        if not (key[0].isascii() and (key[0].isalpha() or key[0] == "_")) or not _KEY_REST.fullmatch(key[1:]):
            raise ParseError(f"error on line {number}: invalid key {key[:40]!r}")
        env[key] = _parse_value(value) if value else ""
    return env


@dataclass(frozen=True, slots=True)
class OSRelease:
    env: dict[str, str]
    #: The leading major.minor of VERSION_ID as a number; 0 when it has none.
    version: float
    #: SUPPORT_END as a Unix timestamp (midnight UTC), or None when not set.
    support_end: int | None


def read_os_release(data: bytes) -> OSRelease:
    env = parse_os_release(data.decode("utf-8", "replace"))
    match = _VERSION.match(env.get("VERSION_ID", ""))
    version = float(match.group(0)) if match else 0.0
    support_end = None
    if env.get("SUPPORT_END", ""):
        text = env["SUPPORT_END"]
        if not _DATE.fullmatch(text):
            raise ParseError(f"invalid SUPPORT_END {text[:40]!r}")
        try:
            support_end = calendar.timegm(time.strptime(text, "%Y-%m-%d"))
        except ValueError as exc:
            raise ParseError(f"invalid SUPPORT_END {text[:40]!r}: {exc}") from None
    return OSRelease(env, version, support_end)


@register
class OSCollector(Collector):
    name = "os"

    LABELS = ("build_id", "id", "id_like", "image_id", "image_version", "name", "pretty_name", "variant",
              "variant_id", "version", "version_codename", "version_id")

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.info = gauge(
            f"{NAMESPACE}_os_info",
            "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, "
            "name, pretty_name, variant, variant_id, version, version_codename, version_id.",
            *self.LABELS,
        )
        self.version = gauge(f"{NAMESPACE}_os_version", "Metric containing the major.minor part of the OS "
                             "version.", "id", "id_like", "name")
        self.support_end = gauge(f"{NAMESPACE}_os_support_end_timestamp_seconds",
                                 "Metric containing the end-of-life date timestamp of the OS.")
        self.paths = tuple(self.roots.root(path) for path in OS_RELEASE_PATHS)
        self._cache: tuple[str, int, OSRelease] | None = None
        self._lock = threading.Lock()

    def _load(self) -> OSRelease:
        for path in self.paths:
            try:
                mtime = os.stat(path).st_mtime_ns
            except FileNotFoundError:
                continue
            with self._lock:
                cached = self._cache
            if cached is not None and cached[0] == path and cached[1] == mtime:
                return cached[2]
            release = read_os_release(read_file(path, MAX_OS_RELEASE))
            with self._lock:
                self._cache = (path, mtime, release)
            return release
        raise NoDataError("no os-release file found")

    def collect(self) -> Iterator[MetricFamily]:
        release = self._load()
        env = release.env
        yield self.info.one(1.0, *(env.get(label.upper(), "") for label in self.LABELS))
        if release.version > 0:
            yield self.version.one(release.version, env.get("ID", ""), env.get("ID_LIKE", ""),
                                   env.get("NAME", ""))
        if release.support_end is not None:
            yield self.support_end.one(release.support_end)
