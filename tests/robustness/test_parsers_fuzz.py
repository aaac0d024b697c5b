"""Every parser against bad input: a value or ParseError, never another exception, never a hang.

The parsers are discovered (tests/robustness/parsers.py), so one added to a
parser or collector module is fuzzed without being listed anywhere.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyexporter.errors import ParseError
from tests.robustness.parsers import (
    COLLECTOR_PARSERS,
    MAPPING,
    NOT_INPUT_PARSERS,
    NOT_PARSER_MODULES,
    SAMPLES,
    Parser,
    collector_modules,
    discover,
    parser_modules,
    samples_for,
    unclassified,
)
from tests.robustness.strategies import FUZZ_SETTINGS, NASTY_TOKENS, ParserHung, bad_inputs, time_budget

PARSERS = discover()
#: Where a token lands in a line: alone, as a value, on either side of the usual separators.
TOKEN_TEMPLATES = (b"@", b"@\n", b"name @\n", b"name: @ kB\n", b"@:1", b"1:@", b"@ 1 2\n", b"k=@",
                   b"@,1", b"1-@", b"@/1", b"[@]", b"@.1")
#: A generous bound for one call on inputs of at most a few KiB: only a hang or a blow-up exceeds it.
CALL_BUDGET = 10.0


def check(parser: Parser, data: bytes) -> None:
    with time_budget(CALL_BUDGET):
        try:
            parser.call(data)
        except ParseError:
            pass


def test_every_parser_module_has_a_covered_parser():
    covered = {p.module for p in PARSERS}
    assert [m for m in parser_modules() if m not in covered] == []


def test_excused_modules_exist():
    for name in NOT_PARSER_MODULES:
        importlib.import_module(name)


def test_every_parse_function_is_fuzzed_or_excused():
    # A parse_* with a signature discover() does not understand would silently escape the fuzzers.
    assert unclassified() == []
    known = {f"{p.module}.{p.func.__name__}" for p in discover(parser_modules() + collector_modules())}
    for name in NOT_INPUT_PARSERS:
        module, _, attr = name.rpartition(".")
        assert module in parser_modules() + collector_modules(), f"{name}: stale exclusion"
        assert hasattr(importlib.import_module(module), attr), f"{name}: stale exclusion"
        assert name not in known


def test_collectors_keep_no_parser_of_a_kernel_file():
    # The layering rule: a parser of a /proc or /sys file lives in procfs/ or sysfs/.
    assert sorted(p.qualname for p in discover(collector_modules())) == sorted(COLLECTOR_PARSERS)


def test_samples_name_existing_parsers():
    names = {p.qualname for p in PARSERS}
    assert sorted(set(SAMPLES) - names) == []


def test_discovery_finds_the_known_parsers():
    # Guards the discovery itself: a change that finds nothing would make every fuzz test vacuous.
    names = {p.qualname for p in PARSERS}
    for expected in ("pyexporter.procfs.meminfo.parse_meminfo", "pyexporter.procfs.stat.parse_stat",
                     "pyexporter.textformat.parse_text_format", "pyexporter.procfs.loadavg.parse_loadavg"):
        assert expected in names
    assert len(PARSERS) >= 40


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.qualname)
def test_parser_on_nasty_tokens_alone(parser):
    for token in NASTY_TOKENS:
        for template in TOKEN_TEMPLATES:
            check(parser, template.replace(b"@", token))


def inputs_for(parser: Parser) -> st.SearchStrategy[tuple[Any, ...]]:
    """One bad value per parameter; a mapping gets some of its keys, each with bad content."""
    samples = samples_for(parser)
    strategies = []
    for kind, keys in zip(parser.kinds, parser.keys, strict=True):
        if kind == MAPPING:
            strategies.append(st.dictionaries(st.sampled_from(keys or ("value",)), bad_inputs(samples),
                                              max_size=max(len(keys), 1)))
        elif kind == "optional":
            strategies.append(st.none() | bad_inputs(samples))
        else:
            strategies.append(bad_inputs(samples))
    return st.tuples(*strategies)


def check_with(parser: Parser, raw: tuple[Any, ...]) -> None:
    with time_budget(CALL_BUDGET):
        try:
            parser.call_with(raw)
        except ParseError:
            pass


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.qualname)
def test_parser_on_mutated_samples(parser):
    @FUZZ_SETTINGS
    @given(raw=inputs_for(parser))
    def run(raw: tuple[Any, ...]) -> None:
        check_with(parser, raw)

    run()


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.qualname)
def test_parser_on_each_sample_cut_at_every_line(parser):
    # A file caught mid-write: every prefix that ends at a line boundary, and one byte short of it.
    for sample in samples_for(parser):
        for end in range(len(sample) + 1):
            if end == len(sample) or sample[end:end + 1] == b"\n":
                check(parser, sample[:end])
                check(parser, sample[:max(end - 1, 0)])


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.qualname)
@given(data=st.binary(max_size=64))
@FUZZ_SETTINGS
def test_parser_on_short_arbitrary_bytes(parser, data):
    check(parser, data)


def test_the_check_catches_other_exceptions_and_hangs(monkeypatch):
    def parse_fragile(text: str) -> int:
        return int(text.split()[1])

    fragile = Parser("fragile", __name__, parse_fragile, ("text",), ((),))
    with pytest.raises(IndexError):
        check(fragile, b"")

    def parse_forever(text: str) -> None:
        while True:
            pass

    monkeypatch.setattr(f"{__name__}.CALL_BUDGET", 0.2)
    with pytest.raises(ParserHung):
        check(Parser("forever", __name__, parse_forever, ("text",), ((),)), b"x")
