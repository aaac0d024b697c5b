"""Parsers take at most linear time: 8x the input costs about 8x the CPU, never 64x.

Each parser gets its samples repeated (many lines), its widest line stretched
(many fields), and runs of single characters (long tokens, blank runs, empty
lines), at a base size and at 8 times it. The check is a generous ratio of
CPU times (min of several runs, thread CPU time so a busy machine does not
count): linear code stays near 8, quadratic code goes to 64. A failing ratio
is measured again before it counts.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from pyexporter.errors import ParseError
from tests.robustness.parsers import Parser, discover, samples_for
from tests.robustness.strategies import ParserHung, time_budget

PARSERS = discover()
BASE_BYTES = 16 * 1024
FACTOR = 8
#: Linear is FACTOR; quadratic is FACTOR**2. Three times linear leaves room for caches and allocators.
MAX_RATIO = 3 * FACTOR
#: CPU times below this are noise; the ratio is taken against at least this much.
FLOOR_SECONDS = 200e-6
REPEATS = 3
ATTEMPTS = 3
#: Wall-clock bounds of one call (SIGALRM): a hang or blow-up ends the measurement.
MIN_BUDGET = 2.0
MAX_BUDGET = 10.0
FILLERS = (b"0", b"9 ", b" ", b"\n", b":", b"a", b"(", b"\x00", b"1,", b"\xff")


def _repeat_to(unit: bytes, size: int) -> bytes:
    if not unit:
        return b""
    return unit * max(size // len(unit), 1)


def shapes(sample: bytes) -> dict[str, Callable[[int], bytes]]:
    """Ways to grow a sample to about `size` bytes."""
    lines = [line for line in sample.split(b"\n") if line]
    widest = max(lines, key=lambda line: len(line.split()), default=b"x 1")
    head, _, rest = widest.partition(b" ")
    out: dict[str, Callable[[int], bytes]] = {
        "lines": lambda size: _repeat_to(sample if sample.endswith(b"\n") else sample + b"\n", size),
        "wide": lambda size: head + b" " + _repeat_to((rest or b"1") + b" ", size),
        "no-newline": lambda size: _repeat_to(sample.replace(b"\n", b" "), size),
    }
    for filler in FILLERS:
        out[f"run-{filler!r}"] = lambda size, f=filler: _repeat_to(f, size)
    return out


def cpu_time(parser: Parser, data: bytes, budget: float) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        start = time.thread_time()
        with time_budget(budget):
            try:
                parser.call(data)
            except ParseError:
                pass
        best = min(best, time.thread_time() - start)
    return best


def growth(parser: Parser, grow: Callable[[int], bytes]) -> tuple[float, float, float]:
    small, large = grow(BASE_BYTES), grow(BASE_BYTES * FACTOR)
    t_small = cpu_time(parser, small, MAX_BUDGET)
    # A blow-up shows well within four times the allowed ratio; there is no need to wait it out.
    budget = min(max(MIN_BUDGET, 4 * MAX_RATIO * max(t_small, FLOOR_SECONDS)), MAX_BUDGET)
    try:
        t_large = cpu_time(parser, large, budget)
    except ParserHung:
        return float("inf"), t_small, budget
    return t_large / max(t_small, FLOOR_SECONDS), t_small, t_large


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.qualname)
def test_parser_time_grows_linearly(parser):
    failures = []
    for sample in samples_for(parser)[:2]:
        for name, grow in shapes(sample).items():
            for _attempt in range(ATTEMPTS):
                ratio, t_small, t_large = growth(parser, grow)
                if ratio <= MAX_RATIO:
                    break
            else:
                failures.append(f"{name}: {t_small * 1e3:.2f} ms -> {t_large * 1e3:.2f} ms (x{ratio:.0f})")
    assert failures == [], f"{parser.qualname} grows faster than linearly: {failures}"


def test_the_check_catches_quadratic_code():
    def parse_quadratic(text: str) -> int:
        total = 0
        for i in range(len(text) // 64):
            total += text.count("0", 0, i * 64)
        return total

    parser = Parser("quadratic", __name__, parse_quadratic, ("text",), ((),))
    ratio, _, _ = growth(parser, lambda size: b"0" * size)
    assert ratio > MAX_RATIO
