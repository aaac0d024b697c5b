"""What the load and stalled-connection benchmarks' command lines share: the arguments after `--` go
to the exporter, options default to the config's fields, a PASS/FAIL verdict, a JSON report."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def split_exporter_args(argv: Sequence[str] | None) -> tuple[list[str], tuple[str, ...]]:
    """The command line (sys.argv[1:] when None) split at the first `--`: the benchmark's own
    arguments, and the exporter's."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" not in argv:
        return argv, ()
    at = argv.index("--")
    return argv[:at], tuple(argv[at + 1:])


def add_config_options(parser: argparse.ArgumentParser, defaults: object, kind: type,
                       names: Sequence[str]) -> None:
    """An option of type `kind` for each of the config's fields `names` (`rss_first`: --rss-first),
    defaulting to the field's value in `defaults`."""
    for name in names:
        parser.add_argument(f"--{name.replace('_', '-')}", type=kind, default=getattr(defaults, name))


def verdict(failures: Sequence[str]) -> str:
    """The summary's last line: PASS, or FAIL with each failure on a line of its own."""
    return "PASS" if not failures else "FAIL:\n  " + "\n  ".join(failures)


def finish(summary: str, json_path: str | None, report: Any, failed: bool) -> int:
    """Print the summary, write the report as JSON where asked; the exit status (1: a check failed)."""
    print(summary)
    if json_path:
        Path(json_path).write_text(json.dumps(report, indent=2) + "\n")
    return 1 if failed else 0
