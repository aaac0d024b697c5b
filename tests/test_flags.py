"""Flag declarations: kinds, conversion, deprecated aliases (pyexporter/flags.py)."""

from __future__ import annotations

import logging

import pytest

from pyexporter.errors import ConfigError
from pyexporter.flags import (
    BoolFlag,
    DeprecatedAlias,
    DurationFlag,
    Flag,
    IntFlag,
    Kind,
    ListFlag,
    RegexFlag,
    SetWhen,
    StringFlag,
    convert,
    unique,
)

GIVEN_ALIAS = RegexFlag("x.exclude", "X.", "^default$", alias=DeprecatedAlias("x.ignored", SetWhen.GIVEN))
NON_EMPTY_ALIAS = RegexFlag("y.include", "Y.", alias=DeprecatedAlias("y.whitelist", SetWhen.NON_EMPTY))


def _values(flag: Flag, main: str | None, alias: str | None) -> dict:
    return {flag.name: convert(flag, main if main is not None else flag.default),
            flag.alias.name: None if alias is None else convert(flag, alias)}


def test_one_class_per_kind():
    kinds = {cls.kind for cls in (BoolFlag, StringFlag, IntFlag, DurationFlag, RegexFlag, ListFlag)}
    assert kinds == set(Kind)


@pytest.mark.parametrize(("flag", "raw", "value"), [
    (IntFlag("n", "N."), "12", 12),
    (DurationFlag("d", "D."), "1m30s", 90.0),
    (DurationFlag("d", "D."), "1d", 86400.0),
    (ListFlag("l", "L.", ("a",)), None, ("a",)),
    (ListFlag("l", "L."), ["x", "y"], ("x", "y")),
    (StringFlag("s", "S."), None, None),
])
def test_values_are_converted_to_the_kind(flag, raw, value):
    assert convert(flag, raw) == value


@pytest.mark.parametrize(("flag", "raw", "message"), [
    (IntFlag("n", "N."), "x", "--n: "),
    (DurationFlag("d", "D."), "-1s", "--d: "),
    (DurationFlag("d", "D."), "5", "--d: "),
    (RegexFlag("r", "R."), "(unclosed", "--r: invalid regular expression '(unclosed'"),
])
def test_bad_values_are_one_line_config_errors(flag, raw, message):
    with pytest.raises(ConfigError) as caught:
        convert(flag, raw)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_regex_values_arrive_compiled_and_empty_counts_as_unset():
    flag = RegexFlag("r", "R.")
    assert convert(flag, "^a").search("ab")
    assert convert(flag, None) is None
    assert flag.is_empty(convert(flag, "")) and flag.is_empty(None) and not flag.is_empty(convert(flag, "a"))


def test_a_deprecated_alias_stands_in_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        value = GIVEN_ALIAS.read(_values(GIVEN_ALIAS, None, "^old$"), frozenset())
    assert value.pattern == "^old$"
    assert "--x.ignored is DEPRECATED and will be removed in 2.0.0, use --x.exclude" in caplog.text
    # An empty alias is no alias.
    assert GIVEN_ALIAS.read(_values(GIVEN_ALIAS, None, ""), frozenset()).pattern == "^default$"


def test_set_when_given_refuses_the_alias_beside_the_flag_even_at_its_default():
    values = _values(GIVEN_ALIAS, "^default$", "^old$")
    with pytest.raises(ConfigError, match=r"^--x.ignored and --x.exclude are mutually exclusive$"):
        GIVEN_ALIAS.read(values, frozenset({"x.exclude"}))
    # Not given (the same value, from the default): the alias stands in.
    assert GIVEN_ALIAS.read(values, frozenset()).pattern == "^old$"


def test_set_when_non_empty_looks_at_the_value():
    with pytest.raises(ConfigError, match="mutually exclusive"):
        NON_EMPTY_ALIAS.read(_values(NON_EMPTY_ALIAS, "a", "b"), frozenset({"y.include"}))
    # Given empty is not set: the alias stands in.
    assert NON_EMPTY_ALIAS.read(_values(NON_EMPTY_ALIAS, "", "b"), frozenset({"y.include"})).pattern == "b"


def test_reading_an_undeclared_flag_names_it():
    with pytest.raises(KeyError, match="unknown flag --n"):
        IntFlag("n", "N.").read({}, frozenset())


def test_one_name_declared_twice_differently_is_refused():
    same = [BoolFlag("a", "A."), BoolFlag("a", "A.")]
    assert unique(same) == [BoolFlag("a", "A.")]
    with pytest.raises(TypeError, match="--a declared twice"):
        unique([BoolFlag("a", "A."), BoolFlag("a", "Other.")])
    with pytest.raises(TypeError, match=r"--x\.ignored declared twice"):
        unique([GIVEN_ALIAS, BoolFlag("x.ignored", "X.")])
