"""Start pyexporter with only the flags it knows, dropping the others.

The conformance suite passes flags for every collector of node_exporter; while
collectors are still being written, this lets the finished ones be scored:
    ../shared/conformance/check --exporter "python -m tests.known_flags"
Dropped flags are printed on stderr. Once every collector exists it changes nothing.
"""

from __future__ import annotations

import sys

from pyexporter.cli import build_parser, main
from pyexporter.loader import load_collectors


def known_only(argv: list[str]) -> tuple[list[str], list[str]]:
    load_collectors()
    parser, _ = build_parser()
    known = set(parser._option_string_actions)
    keep, dropped = [], []
    i = 0
    while i < len(argv):
        arg = argv[i]
        name = arg.split("=", 1)[0]
        takes_value = name in known and parser._option_string_actions[name].nargs != 0
        target = keep if name in known else dropped
        target.append(arg)
        if "=" not in arg and takes_value and i + 1 < len(argv):
            target.append(argv[i + 1])
            i += 1
        i += 1
    return keep, dropped


if __name__ == "__main__":
    args, dropped = known_only(sys.argv[1:])
    if dropped:
        sys.stderr.write(f"known_flags: dropped unknown flags: {' '.join(dropped)}\n")
    raise SystemExit(main(args))
