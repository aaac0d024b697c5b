"""Benchmarks: pyexporter measured side by side with node_exporter (see docs/performance.md)."""
