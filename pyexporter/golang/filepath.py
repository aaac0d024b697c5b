"""path/filepath's Match, Glob, Clean and Join, as node_exporter expands and joins paths.

The textfile collector expands each --collector.textfile.directory with
filepath.Glob (a pattern that matches nothing, or a malformed one, is taken
literally); fnmatch and glob differ from Go (character classes, escapes,
`**`, hidden files, sorting), so these follow Go's rules.
"""

from __future__ import annotations

import os
import posixpath
import re

__all__ = ["BadPattern", "go_clean", "go_glob", "go_join", "go_pattern"]

_GLOB_MAGIC = re.compile(r"[*?\[\\]")


class BadPattern(ValueError):
    """filepath.ErrBadPattern: the directory flag is then taken literally."""


def go_pattern(pattern: str) -> re.Pattern[str]:
    """A regex matching exactly the names Go's filepath.Match(pattern, name) matches.

    Raises BadPattern where Go returns ErrBadPattern (an unclosed or empty
    class, a range ending in `-` or `]`, a trailing backslash).
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "\\":
            if i + 1 >= n:
                raise BadPattern(pattern)
            out.append(re.escape(pattern[i + 1]))
            i += 2
        elif char == "[":
            regex, i = _go_class(pattern, i + 1)
            out.append(regex)
        else:
            out.append(re.escape(char))
            i += 1
    return re.compile("".join(out), re.DOTALL)


def _go_class_char(pattern: str, i: int) -> tuple[str, int]:
    """getEsc: one possibly escaped class character."""
    if i >= len(pattern) or pattern[i] in "-]":
        raise BadPattern(pattern)
    if pattern[i] == "\\":
        i += 1
        if i >= len(pattern):
            raise BadPattern(pattern)
    return pattern[i], i + 1


def _go_class(pattern: str, i: int) -> tuple[str, int]:
    negated = i < len(pattern) and pattern[i] == "^"
    if negated:
        i += 1
    ranges: list[tuple[str, str]] = []
    while True:
        if i < len(pattern) and pattern[i] == "]" and ranges:
            i += 1
            break
        lo, i = _go_class_char(pattern, i)
        hi = lo
        if i < len(pattern) and pattern[i] == "-":
            hi, i = _go_class_char(pattern, i + 1)
        ranges.append((lo, hi))
    # A range with hi < lo matches nothing in Go; Python would reject it.
    parts = [re.escape(lo) if lo == hi else f"{re.escape(lo)}-{re.escape(hi)}"
             for lo, hi in ranges if lo <= hi]
    if not parts:
        return ("(?s:.)" if negated else "(?!)"), i
    return f"[{'^' if negated else ''}{''.join(parts)}]", i


def go_clean(path: str) -> str:
    """filepath.Clean: posixpath.normpath, except that Go also folds a leading `//`."""
    cleaned = posixpath.normpath(path) if path else "."
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")
    return cleaned


def go_join(*parts: str) -> str:
    """filepath.Join: the non-empty parts joined by `/`, cleaned; "" when all are empty."""
    kept = [p for p in parts if p]
    return go_clean("/".join(kept)) if kept else ""


def go_glob(pattern: str) -> list[str]:
    """filepath.Glob: the matching paths, each directory level sorted; BadPattern if malformed."""
    go_pattern(pattern)
    return _glob(pattern)


def _glob(pattern: str) -> list[str]:
    if not _GLOB_MAGIC.search(pattern):
        try:
            os.lstat(pattern)
        except (OSError, ValueError):
            return []
        return [pattern]
    # filepath.Split, then cleanGlobPath: the directory without its trailing slash.
    directory, separator, name = pattern.rpartition("/")
    if not separator:
        directory = "."
    elif directory == "":
        directory = "/"
    if not _GLOB_MAGIC.search(directory):
        return _glob_in(directory, name, [])
    matches: list[str] = []
    for parent in _glob(directory):
        matches = _glob_in(parent, name, matches)
    return matches


def _glob_in(directory: str, name_pattern: str, matches: list[str]) -> list[str]:
    if not os.path.isdir(directory):
        return matches
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return matches
    regex = go_pattern(name_pattern)
    matches.extend(go_join(directory, n) for n in names if regex.fullmatch(n))
    return matches
