"""What reading netlink costs a default start: RSS, netdev/arp durations, import time, two trees side by side.

    git archive <old commit> | tar -x -C /tmp/before
    python -m benchmarks.netlink_cost --tree before=/tmp/before --tree after=.

Each tree is started as `python -m pyexporter` (default collectors, the live machine) from its own
folder, in ABBA order (A B B A for two trees) so that drift of the machine weighs on both alike.
Per run: VmRSS after start (before any scrape) and after SCRAPES sequential scrapes, and the median
of node_scrape_collector_duration_seconds for netdev and arp over the last DURATION_SAMPLES
scrapes. Per tree: `python -X importtime` of the modules the netlink path of a default start
imports (pyexporter.rtnetlink and what it pulls in), as the cumulative time of the top module and
the RSS a fresh interpreter gains by importing it.
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

SCRAPES = 200
DURATION_SAMPLES = 50
COLLECTORS = ("netdev", "arp")
#: What a default start imports for its netlink dumps (lazily, on the first scrape, before this change).
NETLINK_MODULE = "pyexporter.rtnetlink"

_DURATION = re.compile(rb'^node_scrape_collector_duration_seconds\{collector="([^"]+)"\} (\S+)$', re.M)
_SUCCESS = re.compile(rb'^node_scrape_collector_success\{collector="([^"]+)"\} (\S+)$', re.M)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vm_rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def run_once(tree: Path) -> dict[str, float]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "pyexporter", f"--web.listen-address=127.0.0.1:{port}"],
                            cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"{tree}: exporter did not start") from None
                time.sleep(0.05)
        time.sleep(0.5)  # let start-up settle before reading its size
        rss_start = vm_rss_kib(proc.pid)
        durations: dict[str, list[float]] = {name: [] for name in COLLECTORS}
        for i in range(SCRAPES):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as resp:
                body = resp.read()
            failed = [name.decode() for name, value in _SUCCESS.findall(body)
                      if name.decode() in COLLECTORS and value != b"1"]
            if failed:
                raise RuntimeError(f"{tree}: collectors failed: {failed}")
            if i >= SCRAPES - DURATION_SAMPLES:
                for name, value in _DURATION.findall(body):
                    if name.decode() in durations:
                        durations[name.decode()].append(float(value))
        rss_end = vm_rss_kib(proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)
    out = {"rss_start_mib": rss_start / 1024, "rss_after_mib": rss_end / 1024}
    for name, values in durations.items():
        out[f"{name}_median_ms"] = statistics.median(values) * 1000
    return out


def import_cost(tree: Path) -> dict[str, float]:
    """Cumulative import time (µs) of NETLINK_MODULE and the RSS it adds, in a fresh interpreter."""
    code = ("import sys\n"
            "def rss():\n"
            "    lines = open('/proc/self/status').read().splitlines()\n"
            "    return next(int(l.split()[1]) for l in lines if l.startswith('VmRSS:'))\n"
            "import pyexporter.server  # what a start has loaded by then (aiohttp, asyncio)\n"
            "before = rss()\n"
            f"import {NETLINK_MODULE}\n"
            "print(rss() - before, int('pyroute2' in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], cwd=tree, capture_output=True,
                          text=True, check=True)
    cumulative = 0
    for line in proc.stderr.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == NETLINK_MODULE:
            cumulative = int(parts[1])
    rss_kib, pyroute2 = proc.stdout.split()
    return {"import_us": cumulative, "import_rss_mib": int(rss_kib) / 1024, "imports_pyroute2": int(pyroute2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", action="append", required=True, help="NAME=PATH of a checkout")
    args = parser.parse_args()
    trees = dict(item.split("=", 1) for item in args.tree)
    names = list(trees)
    order = names + names[::-1]
    results: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    for name in order:
        result = run_once(Path(trees[name]).resolve())
        results[name].append(result)
        print(name, {k: round(v, 3) for k, v in result.items()}, flush=True)
    for name in names:
        imports = [import_cost(Path(trees[name]).resolve()) for _ in range(5)]
        merged = {key: statistics.median(i[key] for i in imports) for key in imports[0]}
        print(name, "import", merged, flush=True)
        runs = results[name]
        print(name, "mean of runs", {k: round(statistics.mean(r[k] for r in runs), 3) for k in runs[0]})


if __name__ == "__main__":
    main()
