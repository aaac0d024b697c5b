"""Hypothesis strategies for bad /proc and /sys content, and the settings the robustness fuzzers run with."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Profiles: "robustness-ci" (the default, what CI runs: derandomized, see tests/conftest.py) and
# "robustness-deep", random and longer, to hunt for new inputs:
#   PYEXPORTER_FUZZ_PROFILE=robustness-deep python -m pytest tests/robustness
settings.register_profile(
    "robustness-ci", max_examples=100, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "robustness-deep", max_examples=2000, deadline=None, derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ_SETTINGS = settings.get_profile(os.environ.get("PYEXPORTER_FUZZ_PROFILE", "robustness-ci"))

#: Tokens that break number and field parsing: huge, negative, special floats, bases, other digits.
NASTY_TOKENS: tuple[bytes, ...] = (
    b"", b"0", b"-0", b"-1", b"+1", b"-", b"+", b".", b"1.", b".5", b"1.2.3", b"1e", b"1e309", b"-1e309",
    b"1e-400", b"4294967296", b"18446744073709551615", b"18446744073709551616",
    b"-9223372036854775809", b"9223372036854775808", b"9" * 25, b"9" * 5000, b"0" * 5000 + b"1",
    b"1" + b"0" * 400, b"NaN", b"nan", b"-NaN", b"Inf", b"+Inf", b"-Inf", b"inf", b"infinity",
    b"0x", b"0x" + b"f" * 40, b"0xg", b"0b2", b"0o9", b"08", b"1_000", b"__", b"1 000",
    "\u0663".encode(), "\uff11".encode(), b"\xc2\xb2", b"\x00", b"\x00" * 7, b"\xff", b"\xfe\xff",
    b"\xc3", b"\xed\xa0\x80", b"\xef\xbf\xbd", "\u2028".encode(), b"\x85", b"\x1c", b"\x0b", b"\x0c",
    b"\r", b"\t", b" ", b"   ", b":", b"::", b"=", b",", b"-", b"->", b"/", b"%", b"(", b")", b"[", b"]",
    b"{", b"}", b'"', b"\\", b"#", b"kB", b"K", b"G", b"T", b"ms", b"/sec", b"a" * 300,
)


@st.composite
def mutated(draw: st.DrawFn, samples: list[bytes]) -> bytes:
    """A sample with a few edits: truncated, lines dropped, doubled or joined, fields replaced,
    added or removed, nasty bytes inserted, separators changed."""
    data = draw(st.sampled_from(samples))
    lines = data.split(b"\n")
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.integers(0, 11))
        index = draw(st.integers(0, max(len(lines) - 1, 0)))
        line = lines[index] if lines else b""
        fields = line.split()
        if op == 0 and lines:  # drop a line
            del lines[index]
        elif op == 1 and lines:  # double a line
            lines.insert(index, line)
        elif op == 2 and index + 1 < len(lines):  # join two lines
            lines[index:index + 2] = [lines[index] + lines[index + 1]]
        elif op == 3 and line:  # truncate a line
            lines[index] = line[:draw(st.integers(0, len(line)))]
        elif op == 4 and fields:  # replace a field
            fields[draw(st.integers(0, len(fields) - 1))] = draw(st.sampled_from(NASTY_TOKENS))
            lines[index] = b" ".join(fields)
        elif op == 5:  # extra field
            fields.insert(draw(st.integers(0, len(fields))), draw(st.sampled_from(NASTY_TOKENS)))
            lines[index:index + 1] = [b" ".join(fields)]
        elif op == 6 and fields:  # missing field
            del fields[draw(st.integers(0, len(fields) - 1))]
            lines[index] = b" ".join(fields)
        elif op == 7:  # nasty bytes anywhere in a line
            at = draw(st.integers(0, len(line)))
            lines[index:index + 1] = [line[:at] + draw(st.sampled_from(NASTY_TOKENS)) + line[at:]]
        elif op == 8:  # separators: tabs, runs of blanks, CR line ends, NULs
            sep = draw(st.sampled_from([b"\t", b"  ", b"\r", b"\x00", b"\x0b", b""]))
            lines[index:index + 1] = [line.replace(b" ", sep)]
        elif op == 9:  # a line of garbage
            lines.insert(index, draw(st.binary(max_size=80)))
        elif op == 10:  # a number anywhere made huge or negative
            lines[index:index + 1] = [_bend_numbers(line, draw(st.sampled_from(NASTY_TOKENS)))]
        elif op == 11 and lines:  # the line repeated in place many times
            lines[index:index + 1] = [line] * draw(st.integers(2, 50))
    out = b"\n".join(lines)
    if draw(st.booleans()):  # truncated anywhere, as a file caught mid-write
        out = out[:draw(st.integers(0, len(out)))]
    return out


def _bend_numbers(line: bytes, token: bytes) -> bytes:
    parts = line.split(b" ")
    for i, part in enumerate(parts):
        if part[:1].isdigit():
            parts[i] = token
            break
    return b" ".join(parts)


def bad_inputs(samples: list[bytes]) -> st.SearchStrategy[bytes]:
    """Mutated samples most of the time, sometimes arbitrary bytes or nasty tokens alone."""
    return st.one_of(
        mutated(samples),
        mutated(samples),
        mutated(samples),
        st.binary(max_size=400),
        st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")),
        st.lists(st.sampled_from(NASTY_TOKENS), max_size=8).map(b" ".join),
    )


class ParserHung(Exception):
    """A parser did not return within its time budget (raised in the main thread by SIGALRM)."""


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Interrupt the block with ParserHung after `seconds` (main thread only; pytest runs tests there)."""

    def expire(_signum: int, _frame: object) -> None:
        raise ParserHung(f"no result within {seconds:g}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
