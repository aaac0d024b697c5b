"""Break one file at a time and compare which collectors fail in pyexporter and node_exporter.

The synthetic tree of benchmarks/tree.py (small size) is served by both exporters with the same
collectors, as in tests/test_differential.py; then, for each file of its proc and sys trees, a copy
of the tree gets that one file broken (garbage, emptied, cut in half, removed, or replaced by a
directory) and the `node_scrape_collector_success` values of the two exporters are compared. Every
file where they differ is printed, with (pyexporter, node_exporter) per collector; an exporter that
does not answer is reported as such (node_exporter 1.5.0 panics on some of these inputs).

This is a tool for finding error-path differences, not a test: the reference is Debian's 1.5.0, and
where 1.12.1 (prometheus/procfs since) changed how a missing or odd file is treated, a difference is
expected. docs/robustness.md lists what it found and what was done about it.

    python scripts/error_differential.py --mode garbage --files sys --limit 50
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import urllib.request
from collections.abc import Callable

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from benchmarks import run as bench  # noqa: E402
from benchmarks.tree import generate  # noqa: E402


def _garbage(path: str) -> None:
    with open(path, "w", encoding="ascii") as fh:
        fh.write("x y z\n1 2\n")


def _empty(path: str) -> None:
    open(path, "w").close()


def _truncated(path: str) -> None:
    with open(path, "rb") as fh:
        data = fh.read()
    with open(path, "wb") as fh:
        fh.write(data[: len(data) // 2])


def _missing(path: str) -> None:
    os.remove(path)


def _directory(path: str) -> None:
    os.remove(path)
    os.mkdir(path)


BREAKAGES: dict[str, Callable[[str], None]] = {
    "garbage": _garbage, "empty": _empty, "trunc": _truncated, "missing": _missing, "dir": _directory,
}


def tree_files(tree: str, top: str) -> list[str]:
    """Regular files below tree/top (process directories left out), relative to tree."""
    out = []
    for root, _, files in os.walk(os.path.join(tree, top)):
        for name in files:
            rel = os.path.relpath(os.path.join(root, name), tree)
            if top == "proc" and rel.split("/")[1].isdigit():
                continue
            if not os.path.islink(os.path.join(tree, rel)):
                out.append(rel)
    return sorted(out)


def scrape_success(exporter: bench.Exporter) -> dict[str, bool] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{exporter.port}/metrics", timeout=20) as resp:
            return bench.collector_success(resp.read())
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=sorted(BREAKAGES), default="garbage")
    parser.add_argument("--files", choices=("proc", "sys", "all"), default="all")
    parser.add_argument("--limit", type=int, default=0, help="at most this many files, sampled (0: all)")
    args = parser.parse_args(argv)
    if not os.access(bench.NODE_EXPORTER, os.X_OK):
        print(f"{bench.NODE_EXPORTER} is not installed", file=sys.stderr)
        return 2

    compared = bench.comparison(bench.NODE_EXPORTER)
    collectors = compared.synthetic
    # Debian's node_exporter excludes ^lo$ from netdev by default; the same flag evens it out.
    flags = {name: [*known, "--collector.netdev.device-exclude=^$"]
             for name, known in compared.synthetic_flags.items()}

    work = tempfile.mkdtemp(prefix="pyexporter-errdiff-")
    try:
        base = os.path.join(work, "base")
        generate(base, bench.SMALL)
        tops = ("proc", "sys") if args.files == "all" else (args.files,)
        files = [rel for top in tops for rel in tree_files(base, top)]
        if args.limit and len(files) > args.limit:
            files = sorted(random.Random(1).sample(files, args.limit))
        differing = 0
        for rel in files:
            tree = os.path.join(work, "tree")
            shutil.rmtree(tree, ignore_errors=True)
            shutil.copytree(base, tree, symlinks=True)
            BREAKAGES[args.mode](os.path.join(tree, rel))
            try:
                pair = bench.start_pair(collectors, bench.Roots.of_tree(tree), work, bench.NODE_EXPORTER,
                                        flags)
            except RuntimeError as exc:
                differing += 1
                print(f"{rel}: an exporter did not start: {str(exc).splitlines()[0]}", flush=True)
                continue
            with bench.running(pair):
                results = {exporter.name: scrape_success(exporter) for exporter in pair}
            py, ne = results["pyexporter"], results["node_exporter"]
            if py is None or ne is None:
                differing += 1
                silent = [name for name, value in results.items() if value is None]
                print(f"{rel}: no answer from {', '.join(silent)}", flush=True)
                continue
            diff = {name: (py.get(name), ne.get(name)) for name in sorted(set(py) | set(ne))
                    if py.get(name) != ne.get(name)}
            if diff:
                differing += 1
                print(f"{rel}: {diff}", flush=True)
        print(f"{args.mode}: {len(files)} files broken one at a time, {differing} with a difference")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
