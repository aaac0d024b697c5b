"""benchmarks/command.py: the load and stalled-connection benchmarks' shared command line."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass

from benchmarks.command import add_config_options, finish, split_exporter_args, verdict


def test_arguments_after_the_first_double_dash_go_to_the_exporter():
    assert split_exporter_args(["--count", "3", "--", "--web.x", "--", "y"]) == (
        ["--count", "3"], ("--web.x", "--", "y"))
    assert split_exporter_args(["--count", "3"]) == (["--count", "3"], ())
    assert split_exporter_args(["--"]) == ([], ())


@dataclass
class Config:
    rss_first: int = 7
    latency_ratio: float = 2.0


def test_options_default_to_the_config_fields():
    parser = argparse.ArgumentParser()
    add_config_options(parser, Config(), int, ("rss_first",))
    add_config_options(parser, Config(), float, ("latency_ratio",))
    assert vars(parser.parse_args([])) == {"rss_first": 7, "latency_ratio": 2.0}
    assert vars(parser.parse_args(["--rss-first", "9", "--latency-ratio", "1.5"])) == {
        "rss_first": 9, "latency_ratio": 1.5}


def test_verdict_and_finish(tmp_path, capsys):
    assert verdict([]) == "PASS"
    assert verdict(["a", "b"]) == "FAIL:\n  a\n  b"
    out = tmp_path / "report.json"
    assert finish("summary", str(out), {"x": [1]}, failed=True) == 1
    assert capsys.readouterr().out == "summary\n"
    assert json.loads(out.read_text()) == {"x": [1]}
    assert finish("summary", None, {}, failed=False) == 0
