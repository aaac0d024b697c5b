"""Markdown tables from a benchmark results file (for docs/performance.md).

    python -m benchmarks.report benchmarks/out/results.json
"""

from __future__ import annotations

import json
import sys
from typing import Any


def _f(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    opts = results["options"]
    lines = [
        f"Machine: {m['cpu_model']}, {m['cores']} cores, Linux {m['kernel']}, Python {m['python']}; "
        f"reference {results.get('node_exporter') or 'not installed'}. Load average "
        f"{' '.join(m['loadavg_at_start'])} at the start, "
        f"{' '.join(m.get('loadavg_at_end', []))} at the end.",
        "",
        f"1x tree: {opts['base_size']['cpus']} CPUs, {opts['base_size']['interfaces']} network interfaces, "
        f"{opts['base_size']['disks']} disks, {opts['base_size']['mounts']} mounts, "
        f"{opts['base_size']['processes']} processes; {opts['scrapes']} measured scrapes each at 1x, "
        f"{opts['scaled_scrapes']} at larger sizes, after {opts['warmup']} unmeasured ones.",
        "",
        "| run | exporter | median ms | p95 ms | CPU ms/scrape | RSS MiB | peak RSS MiB | anon RSS MiB "
        "| body KiB | gzip KiB | series |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    sizes = sorted(results["sizes"].items(), key=lambda item: int(item[0].rstrip("x")))
    runs = [(f"tree {k}", v) for k, v in sizes]
    if results.get("live"):
        runs.append(("live", results["live"]))
    for label, figures in runs:
        for name in ("pyexporter", "node_exporter"):
            f = figures.get(name)
            if not f:
                continue
            body = f["response_body_bytes"] / 1024 if f["response_body_bytes"] else None
            wire = f["response_wire_bytes"] / 1024 if f["response_wire_bytes"] else None
            lines.append(f"| {label} | {name} | {_f(f['latency_median_ms'])} | {_f(f['latency_p95_ms'])} "
                         f"| {_f(f['cpu_ms_per_scrape'])} | {_f(f['rss_mib'])} | {_f(f['peak_rss_mib'])} "
                         f"| {_f(f.get('rss_anon_mib'))} | {_f(body, 0)} | {_f(wire, 0)} | {f['series']} |")
        r = figures.get("ratios")
        if r:
            lines.append(f"| {label} | **py / ne** | **{_f(r['latency_median_ms'], 2)}** "
                         f"| {_f(r['latency_p95_ms'], 2)} | **{_f(r['cpu_ms_per_scrape'], 2)}** "
                         f"| {_f(r['rss_mib'], 2)} | {_f(r['peak_rss_mib'], 2)} | | "
                         f"{_f(r['response_body_bytes'], 2)} | | |")
    lines.append("")
    soak = results.get("soak")
    if soak:
        lines.append(f"| after {soak['scrapes']} scrapes of the 1x tree | RSS MiB | peak RSS MiB "
                     "| anon RSS MiB |")
        lines.append("|---|---:|---:|---:|")
        for name in ("pyexporter", "node_exporter"):
            if name in soak:
                s = soak[name]
                lines.append(f"| {name} | {_f(s['rss_mib'])} | {_f(s['peak_rss_mib'])} "
                             f"| {_f(s.get('rss_anon_mib'))} |")
        lines.append("")
    single = results.get("single_flight")
    if single:
        n = next(iter(single.values()))["concurrency"]
        lines.append(f"| single flight | CPU ms, 2 sequential scrapes | CPU ms, {n} concurrent scrapes "
                     "| ratio | median latency of the concurrent ones, ms |")
        lines.append("|---|---:|---:|---:|---:|")
        for name, c in single.items():
            lines.append(f"| {name} | {_f(c['cpu_ms_two_sequential'], 0)} "
                         f"| {_f(c[f'cpu_ms_{n}_concurrent'], 0)} | {_f(c['concurrent_over_sequential'], 2)} "
                         f"| {_f(c['concurrent_latency_median_ms'], 0)} |")
        lines.append("")
    scaling = results.get("scaling")
    if scaling:
        lines.append("| CPU per scrape, relative to the 1x tree | " + " | ".join(
            f"{s['factor']}x" for s in scaling if s["exporter"] == "pyexporter") + " |")
        lines.append("|---|" + "---:|" * sum(1 for s in scaling if s["exporter"] == "pyexporter"))
        for name in ("pyexporter", "node_exporter"):
            cells = [_f(s["ratio"], 2) for s in scaling if s["exporter"] == name]
            if cells:
                lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    targets = results.get("targets")
    if targets:
        lines.append("| target | this run | met |")
        lines.append("|---|---|---|")
        for t in targets:
            lines.append(f"| {t['target']} | {t['value']} | {'yes' if t['met'] else '**no**'} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as fh:
        sys.stdout.write(markdown(json.load(fh)))


if __name__ == "__main__":
    main()
